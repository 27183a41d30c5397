// Which connected device takes a command (issue 24): the addressed device itself when it is subscribed for
// its commands, else the connected gateway of the same tenant whose ID the device's ID extends after a `:`
// and that is subscribed for that device's commands (the nearest such gateway, when gateways nest). Only
// that one client gets it. Among a client's subscriptions that take the command, the latest decides the
// topic's form, as in Hono, where a device's new command subscription replaces the old one. Pure.
import type { DeviceAddress, DeviceCommand } from '@ledge/dev-cloud/model-dev-cloud';
import { commandTopic, parseCommandFilter, takesCommandFor } from './command-filters';

export interface Subscribed {
  readonly filter: string;
  readonly qos: number;
}

export interface CommandTaker<H> {
  readonly device: DeviceAddress;
  /** The client's subscriptions in the order they were made. */
  readonly subscriptions: readonly Subscribed[];
  readonly handle: H;
}

export interface CommandRoute<H> {
  readonly handle: H;
  readonly device: DeviceAddress;
  readonly topic: string;
  /** QoS 1, or the subscription's QoS 0 ([MQTT-3.8.4-6]: never more than granted). */
  readonly qos: 0 | 1;
}

const LEVEL_FORBIDDEN = /[/+#\u0000]/;

/** Why a command cannot be put into a topic, or undefined. Its fields come from the Ditto side: untrusted. */
export function commandProblem(command: DeviceCommand): string | undefined {
  const { device, requestId, subject } = command;
  if (typeof device?.tenant !== 'string' || typeof device.deviceId !== 'string' || device.deviceId === '') return 'no device';
  if (LEVEL_FORBIDDEN.test(device.tenant) || LEVEL_FORBIDDEN.test(device.deviceId)) return 'the device address contains /, +, # or NUL';
  if (typeof requestId !== 'string' || LEVEL_FORBIDDEN.test(requestId)) return 'the request ID is not a string without /, +, # or NUL';
  if (typeof subject !== 'string' || subject === '' || /[+#\u0000]/.test(subject)) return 'the subject is empty or contains +, # or NUL';
  if (!Buffer.isBuffer(command.payload)) return 'the payload is not a Buffer';
  return undefined;
}

function routeTo<H>(taker: CommandTaker<H>, command: DeviceCommand): CommandRoute<H> | undefined {
  for (let i = taker.subscriptions.length - 1; i >= 0; i--) {
    const sub = taker.subscriptions[i]!;
    const filter = parseCommandFilter(sub.filter, taker.device);
    if (typeof filter === 'string' || !takesCommandFor(filter, taker.device, command.device)) continue;
    return { handle: taker.handle, device: taker.device, topic: commandTopic(filter, taker.device, command), qos: sub.qos >= 1 ? 1 : 0 };
  }
  return undefined;
}

export function routeCommand<H>(command: DeviceCommand, takers: Iterable<CommandTaker<H>>): CommandRoute<H> | undefined {
  const { tenant, deviceId } = command.device;
  let gateway: CommandRoute<H> | undefined;
  for (const taker of takers) {
    if (taker.device.tenant !== tenant) continue;
    const route = routeTo(taker, command);
    if (route === undefined) continue;
    if (taker.device.deviceId === deviceId) return route;
    if (gateway === undefined || taker.device.deviceId.length > gateway.device.deviceId.length) gateway = route;
  }
  return gateway;
}
