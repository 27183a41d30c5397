// An artifact server for tests: serves in-memory files with Range/If-Range support and can misbehave on
// purpose — cut connections after N bytes, stall, corrupt a byte, ignore ranges, throttle, omit
// Content-Length — and counts every byte it sends, so tests can prove how much a resume re-fetched.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestContextLike } from '@ledge/shared/util/testing';

export interface Misbehaviour {
  /** Destroy the socket after this many body bytes (per response), for the next `times` responses. */
  cutAfter?: { bytes: number; times: number };
  /** Stop sending for `ms` after `bytes` body bytes, for the next `times` responses. */
  stall?: { bytes: number; ms: number; times: number };
  /** XOR 0xff into the byte at this absolute offset of every response covering it. */
  corruptAt?: number;
  /** Answer 200 with the whole file to Range requests. */
  ignoreRange?: boolean;
  /** Body bytes per second per response (chunks of 16 KiB). */
  bytesPerSecond?: number;
  /** Answer the next `times` requests with this status. */
  failWith?: { status: number; times: number };
  /** Send no Content-Length: the body goes out with chunked transfer encoding (its size is known only at its end). */
  noContentLength?: boolean;
}

export interface RequestRecord {
  readonly path: string;
  readonly range: string | undefined;
  readonly status: number;
}

export interface ArtifactServer {
  readonly url: string;
  readonly port: number;
  add(path: string, data: Buffer): { url: string; sha256: string; sha1: string; md5: string; size: number };
  misbehave(m: Misbehaviour): void;
  readonly requests: RequestRecord[];
  /** Body bytes written to sockets, all responses together. */
  readonly bytesSent: number;
  close(): Promise<void>;
}

export async function startArtifactServer(t: TestContextLike, tls?: { key: string | Buffer; cert: string | Buffer }): Promise<ArtifactServer> {
  const files = new Map<string, { data: Buffer; etag: string }>();
  const requests: RequestRecord[] = [];
  let m: Misbehaviour = {};
  let bytesSent = 0;
  const sockets = new Set<Socket>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res).catch(() => res.destroy());
  };
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const f = files.get(path);
    const range = req.headers.range;
    const record = (status: number) => requests.push({ path, range, status });
    if (m.failWith && m.failWith.times > 0) {
      m.failWith.times--;
      record(m.failWith.status);
      res.writeHead(m.failWith.status).end();
      return;
    }
    if (!f) {
      record(404);
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    let end = f.data.length - 1;
    let status = 200;
    const rm = typeof range === 'string' ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    const ifRange = req.headers['if-range'];
    if (rm && !m.ignoreRange && (ifRange === undefined || ifRange === f.etag)) {
      start = Number(rm[1]);
      if (rm[2]) end = Math.min(end, Number(rm[2]));
      if (start >= f.data.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${f.data.length}` }).end();
        return;
      }
      status = 206;
    }
    record(status);
    const headers: Record<string, string> = { 'content-length': String(end - start + 1), 'accept-ranges': 'bytes', etag: f.etag, 'content-type': 'application/octet-stream' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${f.data.length}`;
    if (m.noContentLength) delete headers['content-length'];
    res.writeHead(status, headers);
    let body = f.data.subarray(start, end + 1);
    if (m.corruptAt !== undefined && m.corruptAt >= start && m.corruptAt <= end) {
      body = Buffer.from(body);
      body[m.corruptAt - start]! ^= 0xff;
    }
    let cut: number | undefined;
    if (m.cutAfter && m.cutAfter.times > 0) {
      m.cutAfter.times--;
      cut = m.cutAfter.bytes;
    }
    let stall: { bytes: number; ms: number } | undefined;
    if (m.stall && m.stall.times > 0) {
      m.stall.times--;
      stall = m.stall;
    }
    const chunk = 16 * 1024;
    let sent = 0;
    while (sent < body.length) {
      if (res.destroyed) return;
      let n = Math.min(chunk, body.length - sent);
      if (cut !== undefined) n = Math.min(n, cut - sent);
      if (stall !== undefined && sent < stall.bytes) n = Math.min(n, stall.bytes - sent);
      if (n > 0) {
        const ok = res.write(body.subarray(sent, sent + n));
        bytesSent += n;
        sent += n;
        if (!ok) await new Promise((r) => res.once('drain', r));
      }
      if (cut !== undefined && sent >= cut) {
        // FIN after the bytes already written: the client gets exactly `cut` bytes, then a premature close.
        const socket = res.socket;
        socket?.end();
        setTimeout(() => socket?.destroy(), 2_000).unref();
        return;
      }
      if (stall !== undefined && sent >= stall.bytes) {
        const ms = stall.ms;
        stall = undefined;
        await new Promise((r) => setTimeout(r, ms));
      }
      if (m.bytesPerSecond) await new Promise((r) => setTimeout(r, (n / m.bytesPerSecond!) * 1000));
    }
    res.end();
  };

  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const base = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }));
  t.after(close);
  return {
    url: base,
    port,
    add(path, data) {
      const etag = `"${createHash('sha1').update(data).digest('hex').slice(0, 16)}"`;
      files.set(path, { data, etag });
      const h = (a: string) => createHash(a).update(data).digest('hex');
      return { url: base + path, sha256: h('sha256'), sha1: h('sha1'), md5: h('md5'), size: data.length };
    },
    misbehave(next) {
      m = { ...next };
    },
    requests,
    get bytesSent() {
      return bytesSent;
    },
    close,
  };
}
