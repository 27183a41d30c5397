// Parsing of Hono-style MQTT topic names on the local bus and at the cloud (§1.1, §1.3).
import { normaliseCommandDirection, normaliseEndpoint } from './endpoints';
import { topicNameProblem as mqttTopicNameProblem } from '@ledge/shared/model-mqtt';
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

/** `e|event|t|telemetry[/<tenant>[/<device>[/<extra...>]]]`; empty levels mean "from config". */
export interface HonoTelemetryTopic {
  readonly kind: 'event' | 'telemetry';
  readonly tenantId?: string;
  readonly deviceId?: string;
  /** Levels after the device, unchanged (may contain '/' and empty levels). */
  readonly extra?: string;
}

/** `command/<tenant>/<device>/req/<reqId>/<command>`; deviceId absent = the gateway itself. */
export interface HonoCommandRequestTopic {
  readonly kind: 'command-request';
  readonly tenantId?: string;
  readonly deviceId?: string;
  /** Empty for one-way commands. */
  readonly requestId: string;
  readonly oneWay: boolean;
  /** Hono's command name (subject); may contain '/'. Kanto ignores it (§1.3). */
  readonly command: string;
}

/** `command/<tenant>/<device>/res/<reqId>/<status>`. */
export interface HonoCommandResponseTopic {
  readonly kind: 'command-response';
  readonly tenantId?: string;
  readonly deviceId?: string;
  readonly requestId: string;
  readonly status: number;
}

export type HonoTopic = HonoTelemetryTopic | HonoCommandRequestTopic | HonoCommandResponseTopic;
export type HonoTopicParseResult = { readonly ok: true; readonly topic: HonoTopic } | ParseFailure;

/** A string that is a valid MQTT topic name, by @ledge/shared/model-mqtt's rules (non-empty, no wildcards or
 * U+0000, well-formed, at most 65535 bytes of UTF-8 [MQTT-4.7.3-1..3]). */
export function topicNameProblem(topic: unknown): string | undefined {
  if (typeof topic !== 'string' || topic === '') return 'topic must be a non-empty string';
  const problem = mqttTopicNameProblem(topic);
  return problem === undefined ? undefined : `topic "${topic.slice(0, 200)}": ${problem}`;
}

export function parseHonoTopic(topic: unknown): HonoTopicParseResult {
  const problem = topicNameProblem(topic);
  if (problem !== undefined) return parseFailure(problem);
  const levels = (topic as string).split('/');
  const endpoint = normaliseEndpoint(levels[0]);
  switch (endpoint) {
    case 'event':
    case 'telemetry':
      return { ok: true, topic: telemetryTopic(endpoint, topic as string, levels) };
    case 'command':
      return commandTopic(topic as string, levels);
    default:
      return parseFailure(`topic "${topic as string}" does not start with e|event|t|telemetry|c|command`);
  }
}

function telemetryTopic(kind: 'event' | 'telemetry', topic: string, levels: string[]): HonoTelemetryTopic {
  const [, tenantId, deviceId] = levels;
  const result: { -readonly [K in keyof HonoTelemetryTopic]: HonoTelemetryTopic[K] } = { kind };
  if (tenantId) result.tenantId = tenantId;
  if (deviceId) result.deviceId = deviceId;
  if (levels.length > 3) {
    // Skip "<endpoint>/<tenant>/<device>/" and keep the rest byte for byte (§1.1).
    const prefix = levels.slice(0, 3).join('/').length + 1;
    result.extra = topic.slice(prefix);
  }
  return result;
}

function commandTopic(topic: string, levels: string[]): HonoTopicParseResult {
  const [, tenantId = '', deviceId = '', dir, requestId = '', ...rest] = levels;
  const direction = normaliseCommandDirection(dir);
  if (direction === undefined || levels.length < 6) {
    return parseFailure(`topic "${topic}" is not command/<tenant>/<device>/(req|res)/<reqId>/<command|status>`);
  }
  const address = { ...(tenantId ? { tenantId } : {}), ...(deviceId ? { deviceId } : {}) };
  const last = rest.join('/');
  if (direction === 'request') {
    if (last === '') return parseFailure(`command topic "${topic}" has no command name`);
    return { ok: true, topic: { kind: 'command-request', ...address, requestId, oneWay: requestId === '', command: last } };
  }
  if (requestId === '') return parseFailure(`response topic "${topic}" has an empty request ID`);
  if (!/^[1-5]\d\d$/.test(last)) return parseFailure(`response topic "${topic}" has invalid status "${last}" (100..599)`);
  return { ok: true, topic: { kind: 'command-response', ...address, requestId, status: Number(last) } };
}
