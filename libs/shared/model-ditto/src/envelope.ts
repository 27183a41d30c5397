// The Ditto protocol envelope {topic, headers, path, value, status} (§3.1) and its untrusted-input parser.
import { withDefaults } from '@ledge/util';
import { validateHeaders, type DittoHeaders } from './headers';
import { decodeJsonInput, isPlainObject, type JsonLimits } from '@ledge/util-parse';
import { parseFailure, type ParseFailure } from '@ledge/util-parse';

export interface DittoEnvelope {
  readonly topic: string;
  readonly headers: DittoHeaders;
  readonly path: string;
  /** Absent when the message carries no value (JSON `null` is a value). */
  readonly value?: unknown;
  /** HTTP-like status; present on responses only. */
  readonly status?: number;
}

export type ParseEnvelopeOptions = JsonLimits;

export const defaultParseEnvelopeOptions: ParseEnvelopeOptions = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxNodes: 100_000,
});

export type EnvelopeParseResult = { readonly ok: true; readonly envelope: DittoEnvelope } | ParseFailure;

/**
 * Parses an untrusted envelope from MQTT bytes, a JSON string or an already-decoded value. Never throws.
 * `topic` must be a non-empty string (use parseDittoTopic to interpret it), `path` must start with '/',
 * `headers` is optional (defaults to {}), `status` must be an integer 100..599. Unknown keys are dropped.
 */
export function parseEnvelope(
  input: unknown,
  options: Partial<ParseEnvelopeOptions> = {},
): EnvelopeParseResult {
  const limits = withDefaults(defaultParseEnvelopeOptions, options);
  const decoded = decodeJsonInput(input, limits);
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  if (!isPlainObject(raw)) return parseFailure('envelope must be a JSON object');

  const problems: string[] = [];
  const { topic, path, status } = raw;
  if (typeof topic !== 'string' || topic === '') problems.push('"topic" must be a non-empty string');
  if (typeof path !== 'string' || !path.startsWith('/')) problems.push('"path" must be a string starting with "/"');
  const headers = raw['headers'] === undefined ? {} : validateHeaders(raw['headers'], problems);
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)) {
    problems.push('"status" must be an integer between 100 and 599');
  }
  if (problems.length > 0) return parseFailure(...problems);

  const envelope: { -readonly [K in keyof DittoEnvelope]: DittoEnvelope[K] } = {
    topic: topic as string,
    headers,
    path: path as string,
  };
  if (Object.hasOwn(raw, 'value') && raw['value'] !== undefined) envelope.value = raw['value'];
  if (status !== undefined) envelope.status = status as number;
  return { ok: true, envelope };
}

