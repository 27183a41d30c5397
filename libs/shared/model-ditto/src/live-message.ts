// Device → cloud live messages (§3.1, e.g. metrics `data`, upload `request`, UM `feedback`):
// topic `<ns>/<name>/things/live/messages/<subject>`, path `/features/<F>/outbox/messages/<subject>`.
import type { DittoEnvelope } from './envelope';
import { DittoHeaderNames, JSON_CONTENT_TYPE, type DittoHeaders } from './headers';
import { featureMessagePath } from './path';
import type { ThingId } from './thing-id';
import { buildDittoTopic } from './topic';

export interface LiveMessageOptions {
  readonly thingId: ThingId;
  readonly featureId: string;
  readonly subject: string;
  /** Omitted from the envelope when undefined. */
  readonly value?: unknown;
  /** Default false; UM `consent` is sent with true (§3.7). */
  readonly responseRequired?: boolean;
  /** Extra headers, e.g. a correlation-id; they override the defaults. */
  readonly headers?: DittoHeaders;
}

export function buildLiveMessage(options: LiveMessageOptions): DittoEnvelope {
  const { thingId, featureId, subject, value } = options;
  const headers: Record<string, DittoHeaders[string]> = {
    [DittoHeaderNames.responseRequired]: options.responseRequired ?? false,
  };
  if (value !== undefined) headers[DittoHeaderNames.contentType] = JSON_CONTENT_TYPE;
  const envelope: DittoEnvelope = {
    topic: buildDittoTopic({ ...thingId, group: 'things', channel: 'live', criterion: 'messages', subject }),
    headers: { ...headers, ...options.headers },
    path: featureMessagePath(featureId, 'outbox', subject),
  };
  return value === undefined ? envelope : { ...envelope, value };
}
