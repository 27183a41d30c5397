// Pure routing rules of the connector (§2.1.5, non-generic mode): topic in, topic(s) out.
import { parseHonoTopic, type HonoCommandRequestTopic, type HonoTopic } from './hono-topic';
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { buildCommandRequestTopics, buildCommandResponseTopic, buildEventTopic, buildTelemetryTopic } from './topic-builders';

export interface CloudIdentity {
  /** The connector's tenant, used when the local topic leaves the tenant level empty. */
  readonly tenantId: string;
  /** The gateway's device ID, used when the local topic leaves the device level empty. */
  readonly deviceId: string;
}

export type LocalToCloudResult =
  | { readonly ok: true; readonly topic: string; readonly source: HonoTopic }
  | ParseFailure;

export type CloudToLocalResult =
  | { readonly ok: true; readonly topics: readonly [long: string, short: string]; readonly source: HonoCommandRequestTopic }
  | ParseFailure;

/**
 * Local `e…|event…|t…|telemetry…` → `event|telemetry/<tenant>/<device>[/extra]` with tenant and device
 * from the topic or `identity`; local `command//<d>/res/<reqId>/<status>` (any form) → the long form with
 * the device level unchanged and the tenant level empty (§1.3). Local command requests are not routed.
 */
export function routeLocalToCloud(localTopic: string, identity: CloudIdentity): LocalToCloudResult {
  const parsed = parseHonoTopic(localTopic);
  if (!parsed.ok) return parsed;
  const source = parsed.topic;
  switch (source.kind) {
    case 'event':
    case 'telemetry': {
      const address = {
        tenantId: source.tenantId ?? identity.tenantId,
        deviceId: source.deviceId ?? identity.deviceId,
        ...(source.extra === undefined ? {} : { extra: source.extra }),
      };
      const topic = source.kind === 'event' ? buildEventTopic(address) : buildTelemetryTopic(address);
      return { ok: true, topic, source };
    }
    case 'command-response':
      return { ok: true, topic: buildCommandResponseTopic(source), source };
    case 'command-request':
      return parseFailure(`command request "${localTopic}" is not routed to the cloud`);
  }
}

/** Cloud `command//<device>/req/<reqId>/<name>` → the local long and short forms, device level unchanged. */
export function routeCloudToLocal(cloudTopic: string): CloudToLocalResult {
  const parsed = parseHonoTopic(cloudTopic);
  if (!parsed.ok) return parsed;
  const source = parsed.topic;
  if (source.kind !== 'command-request') return parseFailure(`cloud topic "${cloudTopic}" is not a command request`);
  const { long, short } = buildCommandRequestTopics(source);
  return { ok: true, topics: [long, short], source };
}
