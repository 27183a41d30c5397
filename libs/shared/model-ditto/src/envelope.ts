// The Ditto protocol envelope {topic, headers, path, value, status} (§3.1) and its untrusted-input parser.
import { withDefaults } from '@ledge/shared/util';
import { validateHeaders, type DittoHeaders } from './headers';
import { decodeJsonInput, isPlainObject, type JsonLimits } from '@ledge/shared/util-parse';
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export interface DittoEnvelope {
  readonly topic: string;
  readonly headers: DittoHeaders;
  readonly path: string;
  /** Absent when the message carries no value (JSON `null` is a value). */
  readonly value?: unknown;
  /** HTTP-like status; present on responses only. */
  readonly status?: number;
  /** The field selector of a retrieve (Ditto protocol `fields`, e.g. `features(F/desiredProperties)`). */
  readonly fields?: string;
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
 * `headers` is optional (defaults to {}), `status` must be an integer 100..599, `fields` is kept when it is a
 * string. Unknown keys are dropped.
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
  if (typeof raw['fields'] === 'string') envelope.fields = raw['fields'];
  return { ok: true, envelope };
}

/** What `peekEnvelopeAddress` could read of an envelope too large (or too broken) to parse. */
export interface EnvelopeAddress {
  readonly topic?: string;
  readonly path?: string;
  readonly correlationId?: string;
}

const PEEK_KEYS = new Set(['topic', 'path']);

/**
 * Reads the top-level `topic` and `path` and `headers['correlation-id']` of a JSON envelope from its
 * first `scanBytes` bytes without parsing the rest, so a payload refused for its size (or broken further
 * on) can still be answered with an error its sender can correlate. Only string values are taken
 * (other values are skipped); the scan stops, keeping what it found, at the first thing that is not JSON.
 */
export function peekEnvelopeAddress(payload: Uint8Array, scanBytes = 64 * 1024): EnvelopeAddress {
  const text = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, scanBytes)).toString('utf8');
  const out: { topic?: string; path?: string; correlationId?: string } = {};
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  /** A JSON string at i (i at the opening quote); undefined when it does not end in the scanned text. */
  const str = (): string | undefined => {
    const start = i;
    for (i++; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') {
        i++;
        try {
          return JSON.parse(text.slice(start, i)) as string;
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  };
  /** Skips one value of any kind; false when it does not end in the scanned text. */
  const skip = (): boolean => {
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        if (str() === undefined) return false;
        i--;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) return true; // the end of the enclosing object: the value before it is done
        depth--;
        if (depth === 0) {
          i++;
          return true;
        }
      } else if (c === ',' && depth === 0) return true;
    }
    return false;
  };
  /** Walks an object at i; `onString` gets each key whose value is a string. */
  const object = (onString: (key: string, value: string) => void, onObject: (key: string) => boolean): boolean => {
    ws();
    if (text[i] !== '{') return false;
    i++;
    for (;;) {
      ws();
      if (text[i] === '}') return true;
      if (text[i] !== '"') return false;
      const key = str();
      if (key === undefined) return false;
      ws();
      if (text[i] !== ':') return false;
      i++;
      ws();
      if (text[i] === '"') {
        const value = str();
        if (value === undefined) return false;
        onString(key, value);
      } else if (!(text[i] === '{' && onObject(key)) && !skip()) return false;
      ws();
      if (text[i] === ',') i++;
      else return text[i] === '}';
    }
  };
  const headers = (): boolean => {
    const ok = object(
      (k, v) => {
        if (k.toLowerCase() === 'correlation-id') out.correlationId = v;
      },
      () => false,
    );
    if (ok) i++; // past the headers' closing brace
    return ok;
  };
  object(
    (key, value) => {
      if (PEEK_KEYS.has(key)) (out as Record<string, string>)[key] = value;
    },
    (key) => key === 'headers' && headers(),
  );
  return out;
}
