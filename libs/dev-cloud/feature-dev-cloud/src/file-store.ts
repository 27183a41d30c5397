// The development cloud's two file stores over HTTP (issue 24): the artifact store (a file put there gets a
// URL and its SHA-256 for SoftwareUpdatable installs) and the upload sink (the target of AutoUploadable's
// generic HTTP provider and of Logs uploads). Both are a directory behind a path prefix:
//   GET    <prefix>          the files, as JSON [{name, size, sha256, url, modified}]
//   PUT    <prefix><name>    store the body (POST too, as the upload providers may use it) → 201 {name, size, sha256, url}
//   GET    <prefix><name>    the file; one byte range (206) for downloads that resume; HEAD alike
//   DELETE <prefix><name>    204
// Names are untrusted: letters, digits, `._-` per path segment, no dot first, at most `maxDepth` segments;
// a body over `maxBytes` is refused with 413 and nothing is kept. A file is written to a temporary name,
// synced and renamed, so a reader never sees half a file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, relative, sep } from 'node:path';
import { syncDirectory, syncFile } from '@ledge/shared/util';

export interface FileStoreOptions {
  readonly dir: string;
  /** URL path prefix, ending with `/`, e.g. `/artifacts/`. */
  readonly prefix: string;
  /** Absolute URL of this server, for the `url` of each file (e.g. `http://127.0.0.1:8088`). */
  readonly baseUrl: () => string;
  readonly maxBytes: number;
  /** Path segments a name may have (1: flat). */
  readonly maxDepth: number;
}

export interface StoredFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
  readonly modified: string;
}

export interface FileStore {
  /** Serves the request when its path is under the prefix; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  list(): Promise<StoredFile[]>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The relative file name of a request path under the store, or undefined when it is not a valid name. Pure. */
export function storeName(rest: string, maxDepth: number): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  const segments = decoded.split('/');
  if (segments.length === 0 || segments.length > maxDepth || !segments.every((s) => SEGMENT.test(s))) return undefined;
  return segments.join('/');
}

/** `bytes=a-b` / `bytes=a-` / `bytes=-n` against a size → [start, end] inclusive, 'unsatisfiable', or undefined (ignore). Pure. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 ? 'unsatisfiable' : [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'unsatisfiable' : [start, end];
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};
const problem = (res: ServerResponse, status: number, message: string) => json(res, status, { status, message });

export function createFileStore(o: FileStoreOptions): FileStore {
  // SHA-256 of each file, computed once per (size, mtime)
  const digests = new Map<string, { size: number; mtimeMs: number; sha256: string }>();
  const fileOf = (name: string) => join(o.dir, ...name.split('/'));
  const urlOf = (name: string) => `${o.baseUrl()}${o.prefix}${name.split('/').map(encodeURIComponent).join('/')}`;

  const digest = async (name: string, size: number, mtimeMs: number): Promise<string> => {
    const known = digests.get(name);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(fileOf(name))) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    digests.set(name, { size, mtimeMs, sha256 });
    return sha256;
  };

  const describe = async (name: string): Promise<StoredFile | undefined> => {
    const st = await stat(fileOf(name)).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { name, size: st.size, sha256: await digest(name, st.size, st.mtimeMs), url: urlOf(name), modified: st.mtime.toISOString() };
  };

  const list = async (): Promise<StoredFile[]> => {
    const names: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (e.name.startsWith('.')) continue; // temporary files
        if (e.isDirectory() && depth < o.maxDepth) await walk(join(dir, e.name), depth + 1);
        else if (e.isFile()) names.push(relative(o.dir, join(dir, e.name)).split(sep).join('/'));
      }
    };
    await walk(o.dir, 1);
    const files = await Promise.all(names.sort().map((n) => describe(n)));
    return files.filter((f): f is StoredFile => f !== undefined);
  };

  const put = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > o.maxBytes) return problem(res, 413, `larger than ${o.maxBytes} bytes`);
    const target = fileOf(name);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.tmp-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(tmp, { mode: 0o644 });
    try {
      await new Promise<void>((resolve, reject) => {
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxBytes) {
            reject(Object.assign(new Error(`larger than ${o.maxBytes} bytes`), { status: 413 }));
            req.destroy();
            return;
          }
          hash.update(chunk);
          if (!out.write(chunk)) req.pause();
        });
        out.on('drain', () => req.resume());
        req.once('end', () => out.end());
        req.once('aborted', () => reject(new Error('the upload was cut off')));
        req.once('error', reject);
        out.once('error', reject);
        out.once('finish', resolve);
      });
      await syncFile(tmp);
      await rename(tmp, target);
      await syncDirectory(dirname(target));
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      const status = (err as { status?: number }).status ?? 400;
      if (!res.headersSent && !res.destroyed) problem(res, status, (err as Error).message);
      return;
    }
    const st = await stat(target);
    const sha256 = hash.digest('hex');
    digests.set(name, { size, mtimeMs: st.mtimeMs, sha256 });
    json(res, 201, { name, size, sha256, url: urlOf(name) });
  };

  const get = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    const st = await stat(fileOf(name)).catch(() => undefined);
    if (!st?.isFile()) return problem(res, 404, `no file ${name}`);
    const range = parseRange(req.headers.range, st.size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${st.size}` }).end();
      return;
    }
    const [start, end] = range ?? [0, st.size - 1];
    const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': String(Math.max(0, end - start + 1)), ...(range ? { 'content-range': `bytes ${start}-${end}/${st.size}` } : {}) };
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || st.size === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(fileOf(name), { start, end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  return {
    list,
    async handle(req, res, path) {
      if (path === o.prefix.slice(0, -1) || path === o.prefix) {
        if (req.method !== 'GET' && req.method !== 'HEAD') problem(res, 405, 'GET lists the files');
        else json(res, 200, await list());
        return true;
      }
      if (!path.startsWith(o.prefix)) return false;
      const name = storeName(path.slice(o.prefix.length), o.maxDepth);
      if (name === undefined) {
        problem(res, 400, `not a valid file name (letters, digits, "._-" per segment, at most ${o.maxDepth} segment${o.maxDepth === 1 ? '' : 's'})`);
        return true;
      }
      switch (req.method) {
        case 'PUT':
        case 'POST':
          await put(req, res, name);
          return true;
        case 'GET':
        case 'HEAD':
          await get(req, res, name);
          return true;
        case 'DELETE': {
          if ((await describe(name)) === undefined) {
            problem(res, 404, `no file ${name}`);
            return true;
          }
          await rm(fileOf(name), { force: true });
          digests.delete(name);
          res.writeHead(204).end();
          return true;
        }
        default:
          problem(res, 405, `${req.method ?? '?'} is not served here`);
          return true;
      }
    },
  };
}
