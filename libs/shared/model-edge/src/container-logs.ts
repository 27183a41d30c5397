// Containers' logs over the local bus (issue 21, docs/mqtt-api.md "Logs"): the `Logs` feature (file upload,
// user ledge) asks container management (root, the owner of the json-file logs) for the lines of some
// containers in a time window; container management answers on a topic of that request alone, in chunks,
// then one closing message. The broker's built-in ACL lets only file upload ask and read the answers and
// only container management answer, so no other local client reads a container's log through the bus.
// Pure: topics, building and parsing (every payload is untrusted).
import { decodeJsonInput, isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';

export const ContainerLogsTopics = Object.freeze({
  request: 'edge/containers/logs/request',
  responsePrefix: 'edge/containers/logs/response/',
  /** Every answer (a filter, for the ACL). */
  responses: 'edge/containers/logs/response/#',
} as const);

/** The accounts the built-in ACL ties to these topics. */
export const CONTAINER_LOGS_ASKER = 'ledge-file-upload';
export const CONTAINER_LOGS_ANSWERER = 'ledge-container-management';

/** The `error` of a container that container management does not know. */
export const NO_SUCH_CONTAINER = 'no such container';

export const CONTAINER_LOGS_LIMITS = Object.freeze({
  containers: 64,
  refChars: 256,
  grepChars: 256,
  lines: 1_000_000,
  /** The most bytes of log lines one request may ask for, over all its containers. */
  maxBytes: 64 * 1024 * 1024,
  /** Bytes of lines per answer message. */
  chunkBytes: 256 * 1024,
});

export interface ContainerLogsRequest {
  /** A topic level of its own: letters, digits, `._-`. */
  readonly requestId: string;
  /** Container names or IDs. */
  readonly containers: readonly string[];
  /** Milliseconds since the epoch, inclusive. */
  readonly sinceMs: number;
  readonly untilMs: number;
  /** A literal substring a line's text must hold. */
  readonly grep?: string;
  /** The last this many lines of each container in the window. */
  readonly lines: number;
  /** The most bytes of lines in all (oldest lines dropped first). */
  readonly maxBytes: number;
}

/** Lines of one container (docker json-file lines: {"log","stream","time"}), oldest first. */
export interface ContainerLogsChunk {
  readonly kind: 'chunk';
  readonly container: string;
  readonly lines: readonly string[];
}

/** The last message of an answer: per container asked, how many lines were sent or why none. */
export interface ContainerLogsEnd {
  readonly kind: 'end';
  readonly results: Readonly<Record<string, { readonly lines: number; readonly error?: string }>>;
}

export type ContainerLogsAnswer = ContainerLogsChunk | ContainerLogsEnd;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function containerLogsResponseTopic(requestId: string): string {
  if (!REQUEST_ID.test(requestId)) throw new TypeError(`not a container logs request ID: ${JSON.stringify(requestId)}`);
  return ContainerLogsTopics.responsePrefix + requestId;
}

export function encodeContainerLogsRequest(r: ContainerLogsRequest): string {
  return JSON.stringify({ requestId: r.requestId, containers: r.containers, since: r.sinceMs, until: r.untilMs, ...(r.grep !== undefined ? { grep: r.grep } : {}), lines: r.lines, maxBytes: r.maxBytes });
}

const requestLimits = { maxBytes: 64 * 1024, maxDepth: 4, maxNodes: 200 };
const isWhole = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

export function parseContainerLogsRequest(input: unknown): { ok: true; request: ContainerLogsRequest } | ParseFailure {
  const decoded = decodeJsonInput(input, requestLimits);
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  if (!isPlainObject(raw)) return parseFailure('a container logs request must be a JSON object');
  const { requestId, containers, since, until, grep, lines, maxBytes } = raw;
  const L = CONTAINER_LOGS_LIMITS;
  const problems: string[] = [];
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) problems.push('requestId: 1 to 128 letters, digits, ".", "_" or "-"');
  const refsOk = Array.isArray(containers) && containers.length >= 1 && containers.length <= L.containers && containers.every((c) => typeof c === 'string' && c !== '' && c.length <= L.refChars);
  if (!refsOk) problems.push(`containers: 1 to ${L.containers} non-empty names or IDs of at most ${L.refChars} characters`);
  if (!isWhole(since, 0, 8.64e15) || !isWhole(until, 0, 8.64e15) || since > until) problems.push('since, until: milliseconds since the epoch, since not after until');
  if (grep !== undefined && (typeof grep !== 'string' || grep === '' || grep.length > L.grepChars)) problems.push(`grep: a non-empty string of at most ${L.grepChars} characters`);
  if (!isWhole(lines, 1, L.lines)) problems.push(`lines: a whole number from 1 to ${L.lines}`);
  if (!isWhole(maxBytes, 1, L.maxBytes)) problems.push(`maxBytes: a whole number from 1 to ${L.maxBytes}`);
  if (problems.length > 0) return parseFailure(...problems);
  return {
    ok: true,
    request: {
      requestId: requestId as string,
      containers: [...new Set(containers as string[])],
      sinceMs: since as number,
      untilMs: until as number,
      ...(grep !== undefined ? { grep: grep as string } : {}),
      lines: lines as number,
      maxBytes: maxBytes as number,
    },
  };
}

export function encodeContainerLogsAnswer(a: ContainerLogsAnswer): string {
  return a.kind === 'chunk' ? JSON.stringify({ container: a.container, lines: a.lines }) : JSON.stringify({ end: true, results: a.results });
}

// A chunk is at most chunkBytes of lines plus JSON escaping (at most 6 bytes per byte of a control character).
const answerLimits = { maxBytes: 8 * CONTAINER_LOGS_LIMITS.chunkBytes, maxDepth: 4, maxNodes: 1_000_000 };

export function parseContainerLogsAnswer(input: unknown): { ok: true; answer: ContainerLogsAnswer } | ParseFailure {
  const decoded = decodeJsonInput(input, answerLimits);
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  if (!isPlainObject(raw)) return parseFailure('a container logs answer must be a JSON object');
  if (raw['end'] === true) {
    const results = raw['results'];
    if (!isPlainObject(results) || Object.keys(results).length > CONTAINER_LOGS_LIMITS.containers) return parseFailure('results: an object with an entry per container');
    const out: Record<string, { lines: number; error?: string }> = {};
    for (const [ref, r] of Object.entries(results)) {
      if (!isPlainObject(r) || !isWhole(r['lines'], 0, CONTAINER_LOGS_LIMITS.lines) || (r['error'] !== undefined && (typeof r['error'] !== 'string' || r['error'].length > 1024))) {
        return parseFailure(`results.${ref}: {"lines": a count, "error"?: a string}`);
      }
      out[ref] = { lines: r['lines'], ...(typeof r['error'] === 'string' ? { error: r['error'] } : {}) };
    }
    return { ok: true, answer: { kind: 'end', results: out } };
  }
  const { container, lines } = raw;
  if (typeof container !== 'string' || container === '' || container.length > CONTAINER_LOGS_LIMITS.refChars) return parseFailure('container: a name or ID');
  if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string')) return parseFailure('lines: an array of strings');
  return { ok: true, answer: { kind: 'chunk', container, lines: lines as string[] } };
}

/** Splits lines into runs of at most `maxBytes` (UTF-8) each; a longer line is a run of its own. Pure. */
export function chunkLines(lines: readonly string[], maxBytes: number = CONTAINER_LOGS_LIMITS.chunkBytes): string[][] {
  const out: string[][] = [];
  let run: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    const b = Buffer.byteLength(l, 'utf8') + 3; // the quotes and the comma
    if (run.length > 0 && bytes + b > maxBytes) {
      out.push(run);
      run = [];
      bytes = 0;
    }
    run.push(l);
    bytes += b;
  }
  if (run.length > 0) out.push(run);
  return out;
}
