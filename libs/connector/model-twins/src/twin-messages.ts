// Where the local twin publishes, and the envelopes it publishes (Kanto's local-digital-twins): responses
// on `command//<thing>/req//<action>-response`, events on `command//<thing>/req//<eventAction>` (the
// thing level empty for the gateway), errors on `<ns>/<name>/things/twin/errors` at path `/`; commands to
// the cloud on the local-style uplink `e` (gateway) or `e/<tenant>/<thingId>` (sub-things).
import { buildCommandRequestTopics, HonoShortEndpoints } from '@ledge/shared/model-hono';
import {
  buildDittoTopic,
  buildResponse,
  DittoHeaderNames,
  getCorrelationId,
  getHeaderString,
  JSON_CONTENT_TYPE,
  type DittoCommandAction,
  type DittoErrorValue,
  type DittoEventAction,
  type DittoHeaders,
} from '@ledge/shared/model-ditto';
import type { TwinContext, TwinEnvelope } from './twin-types';

/** The criterion Kanto answers errors on: `…/req//errors-response`. */
export const ERRORS_RESPONSE = 'errors';
/** Marks a local desired-properties event whose local change lost against the cloud's value. */
export const SYNC_CONFLICT_HEADER = 'ledge-sync-conflict';

/** True for the gateway thing and its `<deviceId>:` children: the things this gateway keeps twins of. */
export function isOwnThing(ctx: Pick<TwinContext, 'deviceId'>, thingId: string): boolean {
  return thingId === ctx.deviceId || (thingId.startsWith(`${ctx.deviceId}:`) && thingId.length > ctx.deviceId.length + 1);
}

/** `command///req//<action>-response` (gateway) or `command//<ns>:<name>/req//<action>-response`. */
export function localResponseTopic(ctx: Pick<TwinContext, 'deviceId'>, thingId: string, action: string): string {
  return localCommandTopic(ctx, thingId, `${action}-response`);
}

/** `command///req//<eventAction>` (gateway) or `command//<ns>:<name>/req//<eventAction>`. */
export function localEventTopic(ctx: Pick<TwinContext, 'deviceId'>, thingId: string, action: DittoEventAction): string {
  return localCommandTopic(ctx, thingId, action);
}

function localCommandTopic(ctx: Pick<TwinContext, 'deviceId'>, thingId: string, command: string): string {
  const deviceId = thingId === ctx.deviceId ? '' : thingId;
  return buildCommandRequestTopics({ deviceId, requestId: '', command }).long;
}

/** `e` for the gateway, `e/<tenantId>/<thingId>` for a sub-thing (Kanto's topics toward the cloud). */
export function uplinkTopic(ctx: Pick<TwinContext, 'deviceId' | 'tenantId'>, thingId: string): string {
  return thingId === ctx.deviceId ? HonoShortEndpoints.event : `${HonoShortEndpoints.event}/${ctx.tenantId}/${thingId}`;
}

function topicBase(thingId: string) {
  const colon = thingId.indexOf(':');
  return { namespace: thingId.slice(0, colon), name: thingId.slice(colon + 1), group: 'things', channel: 'twin' } as const;
}

/** `<ns>/<name>/things/twin/commands/<action>` of a thing ID `ns:name`. */
export function commandTopic(thingId: string, action: DittoCommandAction): string {
  return buildDittoTopic({ ...topicBase(thingId), criterion: 'commands', action });
}

/** `<ns>/<name>/things/twin/events/<action>`. */
export function eventTopic(thingId: string, action: DittoEventAction): string {
  return buildDittoTopic({ ...topicBase(thingId), criterion: 'events', action });
}

/** `<ns>/<name>/things/twin/errors`. */
export function errorsTopic(thingId: string): string {
  return buildDittoTopic({ ...topicBase(thingId), criterion: 'errors' });
}

/** The response to a local command (model-ditto's response: same topic and path, correlation-id kept). */
export function twinResponse(command: TwinEnvelope, status: number, value?: unknown): TwinEnvelope {
  return buildResponse(command, value === undefined ? { status } : { status, value });
}

/** An error response: topic `<ns>/<name>/things/twin/errors`, path `/`, the error's status. */
export function twinErrorResponse(command: TwinEnvelope, thingId: string, error: DittoErrorValue): TwinEnvelope {
  return { ...buildResponse(command, { status: error.status, value: error }), topic: errorsTopic(thingId), path: '/' };
}

export interface TwinEventOptions {
  readonly thingId: string;
  readonly action: DittoEventAction;
  readonly path: string;
  readonly value?: unknown;
  readonly revision?: number;
  readonly timestamp: string;
  /** The command's headers: its correlation-id and content-type are kept. */
  readonly headers?: DittoHeaders;
  readonly extraHeaders?: DittoHeaders;
}

/** A Ditto event `<ns>/<name>/things/twin/events/<action>` with `revision` and `timestamp`. */
export function twinEvent(options: TwinEventOptions): TwinEnvelope {
  const { thingId, action, path, value, revision, timestamp } = options;
  const headers: Record<string, DittoHeaders[string]> = { [DittoHeaderNames.responseRequired]: false };
  const correlationId = getCorrelationId(options.headers);
  if (correlationId !== undefined) headers[DittoHeaderNames.correlationId] = correlationId;
  if (value !== undefined) headers[DittoHeaderNames.contentType] = getHeaderString(options.headers, DittoHeaderNames.contentType) ?? JSON_CONTENT_TYPE;
  Object.assign(headers, options.extraHeaders);
  const envelope = { topic: eventTopic(thingId, action), headers, path, timestamp };
  const withValue = value === undefined ? envelope : { ...envelope, value };
  return revision === undefined ? withValue : { ...withValue, revision };
}

/** `headers` with `name` set to `value`, replacing any spelling of it (Ditto header names are case-insensitive). */
export function withHeader(headers: DittoHeaders, name: string, value: DittoHeaders[string]): DittoHeaders {
  const lower = name.toLowerCase();
  const out: Record<string, DittoHeaders[string]> = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== lower));
  out[name] = value;
  return out;
}
