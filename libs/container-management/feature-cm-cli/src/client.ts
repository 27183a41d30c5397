// HTTP/1.1 + JSON over the daemon's unix socket (the local API, routes under /v1). Connection failures
// name the socket; API errors carry the daemon's {code, message}. With `trace` (`--debug`, §4.3) every
// request, response head, JSON body and the end of a stream is reported with its timing.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

/** The daemon is not reachable on the socket (not running, wrong --host, no permission). */
export class DaemonUnreachableError extends Error {
  override readonly name = 'DaemonUnreachableError';
}

/** The daemon refused or failed the operation. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CmClientOptions {
  socketPath: string;
  /** Idle time (no bytes) before a call fails; 0 = none. */
  timeoutMs: number;
  /** Gets one line per request, response head, JSON body and stream end (`ledge cm --debug`). */
  trace?: (line: string) => void;
}

const TRACE_BODY_CHARS = 2000;
const clip = (s: string) => (s.length > TRACE_BODY_CHARS ? `${s.slice(0, TRACE_BODY_CHARS)}… (${s.length} chars)` : s);

export interface CmResponse {
  readonly status: number;
  /** The body split into lines (NDJSON or text), as they arrive. */
  lines(): AsyncIterable<string>;
  json(): Promise<unknown>;
}

export interface CmClient {
  call(method: string, path: string, body?: unknown, options?: { idleTimeout?: boolean }): Promise<CmResponse>;
  /** call() that throws ApiCallError on a status >= 400 and returns the parsed JSON body. */
  json(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK', 'EPERM', 'ECONNRESET']);

export function createCmClient(options: CmClientOptions): CmClient {
  const { socketPath, trace } = options;
  const unreachable = (why: string) =>
    new DaemonUnreachableError(`cannot reach the container-management daemon at ${socketPath} (${why}); is it running, and are you root? (--host or LEDGE_CM_HOST name the socket)`);

  const call: CmClient['call'] = (method, path, body, callOptions = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const t0 = performance.now();
      const ms = () => `${(performance.now() - t0).toFixed(1)} ms`;
      trace?.(`> ${method} ${path} (${socketPath})${payload ? ` ${clip(payload.toString('utf8'))}` : ''}`);
      const req = httpRequest({
        socketPath,
        method,
        path,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      });
      let responded = false;
      const idle = callOptions.idleTimeout !== false && options.timeoutMs > 0;
      if (idle) req.setTimeout(options.timeoutMs, () => req.destroy(new DaemonUnreachableError(`no answer from ${socketPath} within ${options.timeoutMs / 1000} s (--timeout)`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        trace?.(`! ${method} ${path}: ${err.code ?? err.message} after ${ms()}`);
        if (responded) return;
        reject(err instanceof DaemonUnreachableError ? err : UNREACHABLE.has(err.code ?? '') ? unreachable(err.code!) : err);
      });
      req.on('response', (res: IncomingMessage) => {
        responded = true;
        trace?.(`< ${res.statusCode ?? 0} ${String(res.headers['content-type'] ?? '')} for ${method} ${path} in ${ms()}`);
        resolve(wrapResponse(res, req.destroy.bind(req), trace && ((bytes, complete) => trace(`< ${complete ? 'end' : 'closed'} of ${method} ${path}: ${bytes} bytes in ${ms()}`))));
      });
      req.end(payload);
    });

  return {
    call,
    async json(method, path, body) {
      const res = await call(method, path, body);
      const parsed = await res.json();
      trace?.(`< ${method} ${path} body ${clip(JSON.stringify(parsed) ?? '')}`);
      if (res.status >= 400) throw apiErrorOf(res.status, parsed);
      return (parsed ?? {}) as Record<string, unknown>;
    },
  };
}

export function apiErrorOf(status: number, body: unknown): ApiCallError {
  const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const message = typeof o['message'] === 'string' ? o['message'] : `the daemon answered HTTP ${status}`;
  return new ApiCallError(status, typeof o['code'] === 'string' ? o['code'] : 'UNKNOWN', message);
}

function wrapResponse(res: IncomingMessage, abort: () => void, onEnd?: (bytes: number, complete: boolean) => void): CmResponse {
  async function* lines(): AsyncGenerator<string> {
    let buf = '';
    let bytes = 0;
    try {
      for await (const chunk of res) {
        bytes += (chunk as Buffer).length;
        buf += (chunk as Buffer).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          yield buf.slice(0, i);
          buf = buf.slice(i + 1);
        }
      }
      if (buf !== '') yield buf;
    } finally {
      onEnd?.(bytes, res.complete);
      if (!res.complete) abort();
    }
  }
  return {
    status: res.statusCode ?? 0,
    lines,
    async json() {
      let text = '';
      for await (const l of lines()) text += `${l}\n`;
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ApiCallError(res.statusCode ?? 0, 'BAD_RESPONSE', `the daemon sent a body that is not JSON: ${text.slice(0, 200)}`);
      }
    },
  };
}
