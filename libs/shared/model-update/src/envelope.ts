// The envelope of every update-contract message: {"activityId","timestamp","payload"} (Kanto
// update-manager api/types/envelope.go). activityId correlates all messages of one desired-state
// application; timestamp is milliseconds since the epoch. Payloads are untrusted: decoded with limits.
import { decodeJsonInput, isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export interface Envelope<P = unknown> {
  readonly activityId: string;
  readonly timestamp: number;
  readonly payload: P;
}

export const UPDATE_LIMITS = Object.freeze({
  /** A desired state of a few hundred components with their config fits many times over. */
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxNodes: 200_000,
  activityIdChars: 256,
  messageChars: 4096,
});

export type EnvelopeResult = { readonly ok: true; readonly envelope: Envelope } | ParseFailure;

/**
 * Parses an envelope. `activityId` may be empty only where `allowEmptyActivity` says so (Kanto's
 * currentstate/get carries none); the payload is returned as found, for the message's own parser.
 */
export function parseEnvelope(input: unknown, options: { allowEmptyActivity?: boolean } = {}): EnvelopeResult {
  const decoded = decodeJsonInput(input, UPDATE_LIMITS);
  if (!decoded.ok) return decoded;
  const v = decoded.value;
  if (!isPlainObject(v)) return parseFailure('the message is not a JSON object with activityId, timestamp and payload');
  const problems: string[] = [];
  const activityId = v['activityId'] ?? '';
  if (typeof activityId !== 'string') problems.push('activityId: not a string');
  else if (activityId.length > UPDATE_LIMITS.activityIdChars) problems.push(`activityId: longer than ${UPDATE_LIMITS.activityIdChars} characters`);
  else if (activityId === '' && !options.allowEmptyActivity) problems.push('activityId: missing');
  const timestamp = v['timestamp'] ?? 0;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) problems.push('timestamp: not a number of milliseconds since the epoch');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, envelope: { activityId: activityId as string, timestamp: Math.trunc(timestamp as number), payload: v['payload'] } };
}

export function envelope<P>(activityId: string, payload: P, now: number): Envelope<P> {
  return { activityId, timestamp: now, payload };
}
