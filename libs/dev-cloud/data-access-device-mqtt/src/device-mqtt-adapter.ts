// The device side of the development cloud (issue 24): a stand-in for Eclipse Hono's MQTT adapter on aedes.
// Devices log in as `<authId>@<tenant>`; what they publish goes to onMessage listeners (never to another
// MQTT client); sendCommand writes a command to the one connected client that takes it, the device or
// its gateway. listen() may be called for several listeners (plain and TLS); close() is idempotent and
// ends every connection (the devices see their connection end; their wills are not published).
import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';
import type { DeviceAddress, DeviceCommand, DeviceConnection, DeviceCredential, DeviceLink, DeviceMessage } from '@ledge/dev-cloud/model-dev-cloud';
import { createCloser, TypedEmitter, withDefaults, type Logger } from '@ledge/shared/util';
import { forgetWill, remoteAddress, subscriptionsOf } from './aedes-internals';
import { commandProblem, routeCommand, type CommandTaker } from './command-routing';
import { createCredentialStore } from './credentials';
import { DeviceAedes } from './device-aedes';
import { closedError } from './errors';
import { createHooks, deviceClientId, forLog, type DeviceClient } from './hooks';
import { startListener, type ListenOptions, type Listener } from './listener';

export interface DeviceMqttAdapterOptions {
  /** The devices let in (look-up by authId and tenant). */
  readonly credentials: readonly DeviceCredential[];
  readonly logger: Logger;
  /** A connection that sends no CONNECT within this time is closed. */
  readonly connectTimeoutMs?: number;
}

export const defaultDeviceMqttAdapterOptions = Object.freeze({ connectTimeoutMs: 30_000 });

export type { ListenOptions } from './listener';

export interface DeviceMqttAdapter extends DeviceLink {
  /** Opens a listener (port 0 picks a free one); resolves with the bound port. */
  listen(options: ListenOptions): Promise<{ port: number }>;
  /** Closes every device connection and listener. Idempotent. */
  close(): Promise<void>;
}

interface Events {
  message: [m: DeviceMessage];
  connection: [c: DeviceConnection];
}

export function createDeviceMqttAdapter(options: DeviceMqttAdapterOptions): DeviceMqttAdapter {
  const { connectTimeoutMs } = withDefaults(defaultDeviceMqttAdapterOptions, options);
  const logger = options.logger.child({ component: 'device-mqtt' });
  const events = new TypedEmitter<Events>((err, event) => logger.error({ err, event }, 'device link listener failed'));
  const clients = new WeakMap<Client, DeviceClient>();
  /** The connected devices: the client aedes registered for each (one per device). */
  const sessions = new Map<string, { client: Client; device: DeviceAddress }>();
  const listeners: Listener[] = [];
  const closer = createCloser(logger);
  let closed = false;

  const hooks = createHooks({ credentials: createCredentialStore(options.credentials), logger, clients, accept: (packet, message) => aedes.accept(packet, message) });
  const aedes: DeviceAedes = new DeviceAedes({ connectTimeout: connectTimeoutMs, ...hooks }, (m) => events.emit('message', m));
  // aedes emits 'error' for persistence failures; unhandled it would end the process
  (aedes as unknown as NodeJS.EventEmitter).on('error', (err: Error) => logger.error({ err }, 'device broker error'));
  aedes.on('clientError', (client, err) => logger.debug({ clientId: forLog(clients.get(client)?.clientId ?? client.id), err }, 'device connection error'));
  aedes.on('connectionError', (client, err) => logger.debug({ address: remoteAddress(client), err }, 'connection error before CONNECT'));
  aedes.on('client', (client) => {
    const known = clients.get(client);
    if (known === undefined) return;
    sessions.set(deviceClientId(known.device), { client, device: known.device });
    logger.info({ ...known.device, clientId: forLog(known.clientId), address: remoteAddress(client) }, 'device connected');
    events.emit('connection', { device: known.device, connected: true });
  });
  aedes.on('clientDisconnect', (client) => {
    const known = clients.get(client);
    if (known === undefined) return;
    const key = deviceClientId(known.device);
    if (sessions.get(key)?.client === client) sessions.delete(key);
    logger.info({ ...known.device, clientId: forLog(known.clientId) }, 'device disconnected');
    events.emit('connection', { device: known.device, connected: false });
  });

  // aedes.listen() opens its (memory) persistence: once, before the first connection is handled.
  let ready: Promise<void> | undefined;
  const handle = (stream: Duplex) => {
    if (closed) stream.destroy();
    else aedes.handle(stream);
  };

  // Close steps run in reverse order: stop intake, then close every client and aedes, then end what is left.
  closer.add('sockets', async () => {
    await Promise.all(listeners.map((l) => l.close()));
  });
  closer.add('aedes', async () => {
    await ready?.catch(() => undefined);
    for (const { client } of sessions.values()) forgetWill(client);
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });

  function* takers(): Generator<CommandTaker<Client>> {
    for (const { client, device } of sessions.values()) {
      if (!client.closed) yield { device, subscriptions: subscriptionsOf(client), handle: client };
    }
  }

  return {
    onMessage(listener) {
      events.on('message', listener);
      return () => void events.off('message', listener);
    },
    onConnection(listener) {
      events.on('connection', listener);
      return () => void events.off('connection', listener);
    },
    connected: () => [...sessions.values()].map((s) => s.device),

    async sendCommand(command: DeviceCommand) {
      const problem = commandProblem(command);
      const fields = { tenant: forLog(command?.device?.tenant), deviceId: forLog(command?.device?.deviceId), requestId: forLog(command?.requestId) };
      if (problem !== undefined) {
        logger.warn({ ...fields, why: problem }, 'command not sent');
        return false;
      }
      const route = closed ? undefined : routeCommand(command, takers());
      if (route === undefined) {
        logger.info(fields, 'no connected device takes the command');
        return false;
      }
      logger.debug({ ...fields, to: route.device.deviceId, topic: forLog(route.topic) }, 'command sent');
      return new Promise<boolean>((resolve) => {
        route.handle.publish({ cmd: 'publish', topic: route.topic, payload: command.payload, qos: route.qos, retain: false, dup: false }, (err) => resolve(err === undefined || err === null));
      });
    },

    async listen(o: ListenOptions) {
      if (closed) throw closedError();
      ready ??= aedes.listen();
      await ready;
      const listener = await startListener(o, handle, logger);
      if (closed) {
        await listener.close();
        throw closedError();
      }
      listeners.push(listener);
      return { port: listener.port };
    },

    close: async () => {
      closed = true;
      await closer.close();
    },
  };
}
