// The target of AutoUploadable's generic HTTP provider (§6.2 `https.url`): stores each request body under
// its path and answers 201; a GET serves what was stored (file-backup's restore downloads from it), 404 else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup, type TestContextLike } from '@ledge/shared/util/testing';

export interface UploadSink {
  readonly url: string;
  /** Bodies received, by request path. */
  readonly objects: Map<string, Buffer>;
}

export async function startUploadSink(t: TestContextLike): Promise<UploadSink> {
  const objects = new Map<string, Buffer>();
  const srv = createServer((req, res) => {
    if (req.method === 'GET') {
      const body = objects.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-length': String(body.length) }).end(body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      objects.set(new URL(req.url ?? '/', 'http://x').pathname, Buffer.concat(chunks));
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onCleanup(t, () => new Promise<void>((r) => {
    srv.closeAllConnections();
    srv.close(() => r());
  }));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, objects };
}
