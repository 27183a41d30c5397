// What an authenticated device may publish, as Hono's MQTT adapter takes it (kanto-compat §1.1, §1.3):
// telemetry and events (`t`, `telemetry`, `e`, `event`, tenant and device levels optional) and command
// responses (`command/<tenant?>/<device?>/res/<reqId>/<status>`, or `c/…/s/…`). A topic naming a tenant
// must name the device's own; a topic naming a device must name the device itself or a device behind it,
// whose ID extends the gateway's after a `:` (`demo:gw:edge:containers` behind `demo:gw`, the rule by
// which commands find their gateway too). Pure: topic in, decision out.
import type { DeviceAddress, DeviceMessage } from '@ledge/dev-cloud/model-dev-cloud';
import { parseHonoTopic } from '@ledge/shared/model-hono';

export type PublishDecision =
  | { readonly ok: true; readonly message: Omit<DeviceMessage, 'payload'> }
  | { readonly ok: false; readonly why: string };

/** Whether `deviceId` is a device behind `gatewayId`: its ID extends the gateway's after a `:`. */
export function isBehind(gatewayId: string, deviceId: string): boolean {
  return deviceId.length > gatewayId.length + 1 && deviceId.startsWith(`${gatewayId}:`);
}

/** The device a topic names, checked against the authenticated one; a reason when it may not publish for it. */
export function addressedDevice(via: DeviceAddress, tenantId: string | undefined, deviceId: string | undefined): DeviceAddress | string {
  if (tenantId !== undefined && tenantId !== via.tenant) return `tenant "${tenantId}" is not the device's own`;
  const id = deviceId ?? via.deviceId;
  if (id !== via.deviceId && !isBehind(via.deviceId, id)) return `device "${id}" is neither the device nor behind it`;
  return id === via.deviceId ? via : { tenant: via.tenant, deviceId: id };
}

export function decidePublish(topic: unknown, via: DeviceAddress): PublishDecision {
  const parsed = parseHonoTopic(topic);
  if (!parsed.ok) return { ok: false, why: parsed.problems.join('; ') };
  const t = parsed.topic;
  if (t.kind === 'command-request') return { ok: false, why: 'devices do not publish command requests' };
  const device = addressedDevice(via, t.tenantId, t.deviceId);
  if (typeof device === 'string') return { ok: false, why: device };
  if (t.kind === 'command-response') {
    return { ok: true, message: { device, via, kind: 'command-response', requestId: t.requestId, status: t.status } };
  }
  return { ok: true, message: { device, via, kind: t.kind } };
}
