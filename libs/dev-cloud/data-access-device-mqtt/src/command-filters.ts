// The command subscriptions of Hono's MQTT adapter (its CommandSubscription: `command|c/[tenant]/
// [device|+]/req|q/#`), for an authenticated device:
//   command///req/#  c///q/#                   its own commands
//   command//+/req/#  c//+/q/#                 a gateway: its own and those of every device behind it
//   command//<own id>/req/#                    its own commands, the device level filled in
//   command//<id behind it>/req/#              a gateway, for one device behind it
//   command/<own tenant>/…                     any of these with its tenant filled in
// A command is published in the form of the subscription that takes it: the same endpoint and request
// part, the tenant level as subscribed, the device level empty for the device's own commands (unless the
// subscription named it) and the device's ID for one behind a gateway (Hono's getCommandPublishTopic).
// Hono also takes mixed forms (`c///req/#`); the topic builders emit `command/…/req` and `c/…/q` only, so
// mixed forms are refused here. Everything else (`#`, another tenant, another device) is refused. Pure.
import type { DeviceAddress, DeviceCommand } from '@ledge/dev-cloud/model-dev-cloud';
import { buildCommandRequestTopics, HonoEndpoints, HonoShortEndpoints, HonoCommandDirections, HonoShortCommandDirections } from '@ledge/shared/model-hono';
import { isBehind } from './publish-rules';

export type CommandScope = { readonly kind: 'own' } | { readonly kind: 'all' } | { readonly kind: 'device'; readonly deviceId: string };

export interface CommandFilter {
  readonly short: boolean;
  readonly withTenant: boolean;
  /** The device level named the device itself (`command//<own id>/req/#`). */
  readonly withOwnId: boolean;
  readonly scope: CommandScope;
}

const FORMS: readonly { endpoint: string; request: string; short: boolean }[] = [
  { endpoint: HonoEndpoints.command, request: HonoCommandDirections.request, short: false },
  { endpoint: HonoShortEndpoints.command, request: HonoShortCommandDirections.request, short: true },
];

/** A subscription filter → the commands it takes for `device`, or why it is refused. */
export function parseCommandFilter(filter: unknown, device: DeviceAddress): CommandFilter | string {
  if (typeof filter !== 'string' || filter.length > 65_535) return 'not a topic filter';
  const levels = filter.split('/');
  if (levels.length !== 5 || levels[4] !== '#') return 'not a command subscription (command|c/[tenant]/[device|+]/req|q/#)';
  const [endpoint, tenant, id, request] = levels as [string, string, string, string];
  const form = FORMS.find((f) => f.endpoint === endpoint && f.request === request);
  if (form === undefined) return 'not a command subscription (command/…/req/# or c/…/q/#)';
  if (tenant !== '' && tenant !== device.tenant) return `tenant "${tenant}" is not the device's own`;
  const base = { short: form.short, withTenant: tenant !== '' };
  if (id === '') return { ...base, withOwnId: false, scope: { kind: 'own' } };
  if (id === '+') return { ...base, withOwnId: false, scope: { kind: 'all' } };
  if (/[+#\u0000]/.test(id)) return `device level "${id}" is not a device ID or +`;
  if (id === device.deviceId) return { ...base, withOwnId: true, scope: { kind: 'own' } };
  if (isBehind(device.deviceId, id)) return { ...base, withOwnId: false, scope: { kind: 'device', deviceId: id } };
  return `device "${id}" is neither the device nor behind it`;
}

/** Whether a subscription of `subscriber` takes a command for `target`. */
export function takesCommandFor(filter: CommandFilter, subscriber: DeviceAddress, target: DeviceAddress): boolean {
  if (target.tenant !== subscriber.tenant) return false;
  if (target.deviceId === subscriber.deviceId) return filter.scope.kind !== 'device';
  if (!isBehind(subscriber.deviceId, target.deviceId)) return false;
  return filter.scope.kind === 'all' || (filter.scope.kind === 'device' && filter.scope.deviceId === target.deviceId);
}

/** The topic `command` is published on to `subscriber`, whose `filter` takes it. */
export function commandTopic(filter: CommandFilter, subscriber: DeviceAddress, command: DeviceCommand): string {
  const own = command.device.deviceId === subscriber.deviceId;
  const deviceId = own ? (filter.withOwnId ? subscriber.deviceId : '') : command.device.deviceId;
  const topics = buildCommandRequestTopics({
    tenantId: filter.withTenant ? subscriber.tenant : '',
    deviceId,
    requestId: command.requestId,
    command: command.subject,
  });
  return filter.short ? topics.short : topics.long;
}
