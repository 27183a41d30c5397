/// <reference lib="dom" />
// What the console sends and receives: Ditto's HTTP API v2 (live messages to a feature's inbox, the twins)
// and its SSE streams at the Ditto the settings name (the dev cloud by default, or a real Ditto: base URL
// and Basic credentials, issue 24 item 3), and the artifact store and the upload sink, which are the dev
// cloud's own and stay on the page's origin. Every command and its answer goes to the log pane.
import { openSse, type SseOptions, type SseState } from './sse-reader';
import { basicAuthorization, type DittoTarget } from './settings';

export type LogKind = 'command' | 'response' | 'event' | 'error';
export type Log = (kind: LogKind, text: string) => void;

export const GATEWAY = 'dev:gateway';
export const CONTAINERS = `${GATEWAY}:edge:containers`;

export interface Reply {
  readonly status: number;
  readonly value: unknown;
}

export interface StoredFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
}

const enc = encodeURIComponent;
export const featurePath = (thingId: string, featureId: string) => `/api/2/things/${enc(thingId)}/features/${enc(featureId)}`;

/** A unique correlation ID for a command sent from this page. */
export const correlationId = (what: string) => `console-${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function readReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let value: unknown = text;
  try {
    value = text === '' ? undefined : JSON.parse(text);
  } catch {
    value = text; // not JSON: shown as it came
  }
  return { status: res.status, value };
}

const short = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? '' : s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

export interface Api {
  /** A live message to a feature's inbox; the device's answer (or Ditto's 408) is the reply. */
  send(thingId: string, featureId: string, subject: string, value: unknown, timeoutS?: number): Promise<Reply>;
  putArtifact(file: File): Promise<StoredFile>;
  listUploads(): Promise<StoredFile[]>;
  things(): Promise<Record<string, unknown>[]>;
  /**
   * A Ditto SSE stream of JSON values (`path` under the base URL), reconnecting by itself; `onState` hears
   * each open and each loss. Reopened at the new Ditto on `configure`. Returns the function that closes it.
   */
  stream(path: string, onValue: (v: unknown) => void, onState?: (state: SseState) => void): () => void;
  /** Points every Ditto call, and every open stream, at `target`. */
  configure(target: DittoTarget): void;
  readonly target: DittoTarget;
}

export interface ApiDeps {
  /** The Ditto to start with. */
  readonly target: DittoTarget;
  readonly fetch?: typeof fetch;
  /** How streams are opened (tests); openSse by default. */
  readonly openStream?: (url: string, options: SseOptions) => () => void;
}

/** Ditto answers `GET /api/2/things` only with `ids`; its search lists what the user may see (200 at most per page). */
const SEARCH_THINGS = '/api/2/search/things?option=size(200)';

interface OpenStream {
  readonly path: string;
  readonly onValue: (v: unknown) => void;
  readonly onState?: (state: SseState) => void;
  close: () => void;
}

const statusText = (res: Response) => `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;

export function createApi(log: Log, deps: ApiDeps): Api {
  const doFetch = deps.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const openStream = deps.openStream ?? openSse;
  let target = deps.target;
  const streams = new Set<OpenStream>();

  const dittoUrl = (path: string) => `${target.baseUrl}${path}`;
  const authHeaders = (): Record<string, string> => {
    const authorization = basicAuthorization(target);
    return authorization === undefined ? {} : { authorization };
  };
  /** fetch at the Ditto; a failure without an answer (down, or CORS refused) says what to check. */
  const call = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
    try {
      return await doFetch(dittoUrl(path), { ...init, headers: { ...init.headers, ...authHeaders() } });
    } catch (err) {
      throw new Error(`${dittoUrl(path)}: no answer (${String(err)}); is Ditto running there, and does it allow this page's origin (CORS)?`);
    }
  };
  const getJson = async (path: string) => {
    const res = await call(path, {});
    return { res, reply: await readReply(res) };
  };
  const open = (s: OpenStream) => {
    s.close = openStream(dittoUrl(s.path), {
      headers: authHeaders(),
      // Every event's data, whatever its type: Ditto and the dev cloud send each payload as a plain `data:` event.
      onEvent: (e) => {
        if (e.data.trim() === '') return;
        try {
          s.onValue(JSON.parse(e.data));
        } catch {
          s.onValue(e.data); // a payload that is not JSON
        }
      },
      ...(s.onState ? { onState: s.onState } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  };

  return {
    get target() {
      return target;
    },
    configure(next) {
      target = next;
      for (const s of streams) {
        s.close();
        open(s);
      }
    },
    stream(path, onValue, onState) {
      const s: OpenStream = { path, onValue, ...(onState ? { onState } : {}), close: () => {} };
      streams.add(s);
      open(s);
      return () => {
        streams.delete(s);
        s.close();
      };
    },
    async send(thingId, featureId, subject, value, timeoutS = 30) {
      const path = `${featurePath(thingId, featureId)}/inbox/messages/${enc(subject)}?timeout=${timeoutS}`;
      log('command', `${featureId} ${subject} → ${thingId} ${short(value)}`);
      const res = await call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value ?? {}) });
      const reply = await readReply(res);
      log(res.ok ? 'response' : 'error', `${featureId} ${subject}: ${reply.status} ${short(reply.value)}`);
      return reply;
    },
    async putArtifact(file) {
      log('command', `PUT /artifacts/${file.name} (${file.size} bytes)`);
      const res = await doFetch(`/artifacts/${enc(file.name)}`, { method: 'PUT', body: file });
      const reply = await readReply(res);
      if (!res.ok) {
        log('error', `artifact store: ${reply.status} ${short(reply.value)}`);
        throw new Error(`the artifact store answered ${reply.status}`);
      }
      log('response', `artifact store: ${short(reply.value)}`);
      return reply.value as StoredFile;
    },
    async listUploads() {
      const res = await doFetch('/uploads');
      return res.ok ? ((await res.json()) as StoredFile[]) : [];
    },
    async things() {
      const all = await getJson('/api/2/things');
      if (all.res.ok && Array.isArray(all.reply.value)) return all.reply.value as Record<string, unknown>[];
      if (all.res.status === 401 || all.res.status === 403) throw new Error(`GET ${dittoUrl('/api/2/things')} answered ${statusText(all.res)}: check the user and the password`);
      const search = await getJson(SEARCH_THINGS);
      const items = (search.reply.value as { items?: unknown } | undefined)?.items;
      if (search.res.ok && Array.isArray(items)) return items as Record<string, unknown>[];
      throw new Error(`GET ${dittoUrl('/api/2/things')} answered ${statusText(all.res)}, GET ${dittoUrl(SEARCH_THINGS)} ${statusText(search.res)}`);
    },
  };
}
