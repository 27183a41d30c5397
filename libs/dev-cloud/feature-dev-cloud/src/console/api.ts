/// <reference lib="dom" />
// What the console sends and receives, all same-origin: Ditto's HTTP API v2 (live messages to a feature's
// inbox, the twins), its SSE streams, the artifact store and the upload sink. Every command and its answer
// goes to the log pane.

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
}

export function createApi(log: Log): Api {
  return {
    async send(thingId, featureId, subject, value, timeoutS = 30) {
      const path = `${featurePath(thingId, featureId)}/inbox/messages/${enc(subject)}?timeout=${timeoutS}`;
      log('command', `${featureId} ${subject} → ${thingId} ${short(value)}`);
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value ?? {}) });
      const reply = await readReply(res);
      log(res.ok ? 'response' : 'error', `${featureId} ${subject}: ${reply.status} ${short(reply.value)}`);
      return reply;
    },
    async putArtifact(file) {
      log('command', `PUT /artifacts/${file.name} (${file.size} bytes)`);
      const res = await fetch(`/artifacts/${enc(file.name)}`, { method: 'PUT', body: file });
      const reply = await readReply(res);
      if (!res.ok) {
        log('error', `artifact store: ${reply.status} ${short(reply.value)}`);
        throw new Error(`the artifact store answered ${reply.status}`);
      }
      log('response', `artifact store: ${short(reply.value)}`);
      return reply.value as StoredFile;
    },
    async listUploads() {
      const res = await fetch('/uploads');
      return res.ok ? ((await res.json()) as StoredFile[]) : [];
    },
    async things() {
      const res = await fetch('/api/2/things');
      if (!res.ok) throw new Error(`GET /api/2/things answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>[];
    },
  };
}

/**
 * An SSE stream of JSON values (EventSource reconnects by itself); `onState` hears whether it is open.
 * Returns a function that closes it.
 */
export function streamJson(url: string, onValue: (v: unknown) => void, onState?: (open: boolean) => void): () => void {
  const source = new EventSource(url);
  source.onopen = () => onState?.(true);
  source.onerror = () => onState?.(source.readyState === EventSource.OPEN);
  source.onmessage = (e: MessageEvent<string>) => {
    if (e.data.trim() === '') return;
    try {
      onValue(JSON.parse(e.data));
    } catch {
      onValue(e.data); // a payload that is not JSON
    }
  };
  return () => source.close();
}
