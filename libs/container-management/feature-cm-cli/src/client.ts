// HTTP/1.1 + JSON over the daemon's unix socket (the local API, routes under /v1). Connection failures
// name the socket; API errors carry the daemon's {code, message}.
import { request as httpRequest, type IncomingMessage } from 'node:http';

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
}

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
  const { socketPath } = options;
  const unreachable = (why: string) =>
    new DaemonUnreachableError(`cannot reach the container-management daemon at ${socketPath} (${why}); is it running, and are you root? (--host or LEDGE_CM_HOST name the socket)`);

  const call: CmClient['call'] = (method, path, body, callOptions = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
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
        if (responded) return;
        reject(err instanceof DaemonUnreachableError ? err : UNREACHABLE.has(err.code ?? '') ? unreachable(err.code!) : err);
      });
      req.on('response', (res: IncomingMessage) => {
        responded = true;
        resolve(wrapResponse(res, req.destroy.bind(req)));
      });
      req.end(payload);
    });

  return {
    call,
    async json(method, path, body) {
      const res = await call(method, path, body);
      const parsed = await res.json();
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

function wrapResponse(res: IncomingMessage, abort: () => void): CmResponse {
  async function* lines(): AsyncGenerator<string> {
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += (chunk as Buffer).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          yield buf.slice(0, i);
          buf = buf.slice(i + 1);
        }
      }
      if (buf !== '') yield buf;
    } finally {
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
