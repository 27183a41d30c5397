// The small HTTP pieces of the Ditto side (issue 24): a capped body reader, JSON and Ditto-error replies,
// HTTP basic auth. (Every wait of the service goes through the injected util Scheduler, issue 22.)
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DittoErrors, type DittoError } from '@ledge/dev-cloud/model-dev-cloud';

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly error: DittoError };

/**
 * The request body, or 413 once it passes `maxBytes` (the rest is read and dropped, so the client gets the
 * answer rather than a reset). A declared Content-Length over the cap is refused before reading.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      resolve({ ok: false, error: DittoErrors.requestTooLarge(maxBytes) });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) chunks.push(c);
    });
    req.on('end', () => resolve(size > maxBytes ? { ok: false, error: DittoErrors.requestTooLarge(maxBytes) } : { ok: true, body: Buffer.concat(chunks) }));
    req.on('error', () => resolve({ ok: false, error: DittoErrors.jsonInvalid('the request body could not be read') }));
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

export function sendError(res: ServerResponse, error: DittoError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, error, headers);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when no auth is configured, or the request carries the configured user and password. */
export function authorized(req: IncomingMessage, auth: BasicAuth | undefined): boolean {
  if (auth === undefined) return true;
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (m === null) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${auth.username}:${auth.password}`));
}

export const WWW_AUTHENTICATE = { 'www-authenticate': 'Basic realm="ledge dev-cloud"' };

/** True when the client asked for Server-Sent Events. */
export function wantsEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').split(',').some((a) => a.trim().toLowerCase().startsWith('text/event-stream'));
}

export function isJsonContentType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  const media = ct.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}
