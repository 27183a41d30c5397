// Archive artifacts (§5.4): tar, tar.gz and zip, extracted with small pure-JS readers over node:zlib
// (no native code, nothing to ship). Every entry is confined to the target directory: absolute names,
// `..`, and links that point outside are refused, and nothing is ever written through a link.
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, realpath, symlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { archiveInvalidError } from './errors';

export type ArchiveFormat = 'tar.gz' | 'tar' | 'zip';

export interface ExtractLimits {
  /** Total bytes written at most (a zip/tar bomb stops here). */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

export const defaultExtractLimits: Readonly<ExtractLimits> = Object.freeze({ maxBytes: 8 * 1024 ** 3, maxEntries: 100_000 });

/** Detects the format by magic bytes (the file name is not trusted). */
export async function detectArchive(file: string): Promise<ArchiveFormat | undefined> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'tar.gz';
    if (bytesRead >= 4 && b.readUInt32LE(0) === 0x04034b50) return 'zip';
    if (bytesRead >= 262 && b.toString('latin1', 257, 262) === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

/** Resolves an entry name inside `dest`, or undefined when it would leave it. */
export function confine(dest: string, name: string): string | undefined {
  const clean = name.replace(/\\/g, '/');
  if (clean === '' || isAbsolute(clean) || /^[A-Za-z]:/.test(clean) || clean.includes('\0')) return undefined;
  const target = resolve(dest, clean);
  return target === dest || target.startsWith(dest + sep) ? target : undefined;
}

export async function extractArchive(file: string, dest: string, limits: ExtractLimits = defaultExtractLimits): Promise<{ entries: number; bytes: number }> {
  const format = await detectArchive(file);
  const root = await realpath(dest);
  if (format === undefined) throw archiveInvalidError(file, 'not a zip, tar or tar.gz archive');
  return format === 'zip' ? extractZip(file, root, limits) : extractTar(file, root, format === 'tar.gz', limits);
}

interface Writer {
  file(name: string, mode: number): Promise<FileHandle | undefined>;
  dir(name: string): Promise<void>;
  link(name: string, target: string): Promise<void>;
  count(bytes: number): void;
  readonly stats: { entries: number; bytes: number };
}

function createWriter(archive: string, root: string, limits: ExtractLimits): Writer {
  const stats = { entries: 0, bytes: 0 };
  const place = async (name: string): Promise<string> => {
    if (++stats.entries > limits.maxEntries) throw archiveInvalidError(archive, `more than ${limits.maxEntries} entries`);
    const target = confine(root, name);
    if (target === undefined) throw archiveInvalidError(archive, `entry "${name}" would be written outside the module directory`);
    await mkdir(dirname(target), { recursive: true });
    // A parent may be a link made by an earlier entry: the real parent must still be inside root.
    const parent = await realpath(dirname(target));
    if (parent !== root && !parent.startsWith(root + sep)) throw archiveInvalidError(archive, `entry "${name}" goes through a link outside the module directory`);
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isSymbolicLink()) throw archiveInvalidError(archive, `entry "${name}" would be written through a link`);
    return target;
  };
  return {
    stats,
    async file(name, mode) {
      if (name.endsWith('/')) {
        await this.dir(name);
        return undefined;
      }
      const target = await place(name);
      return open(target, 'w', (mode & 0o777) | 0o600);
    },
    async dir(name) {
      const target = await place(name);
      await mkdir(target, { recursive: true });
    },
    async link(name, linkTarget) {
      const target = await place(name);
      const resolved = resolve(dirname(target), linkTarget);
      if (isAbsolute(linkTarget) || (resolved !== root && !resolved.startsWith(root + sep))) throw archiveInvalidError(archive, `link "${name}" → "${linkTarget}" points outside the module directory`);
      await symlink(relative(dirname(target), resolved) || '.', target);
    },
    count(bytes) {
      stats.bytes += bytes;
      if (stats.bytes > limits.maxBytes) throw archiveInvalidError(archive, `expands to more than ${limits.maxBytes} bytes`);
    },
  };
}

// ---- tar (ustar, GNU long names, pax path/linkpath) ----

function tarString(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return s.toString('utf8', 0, z < 0 ? len : z);
}

function tarNumber(b: Buffer, start: number, len: number): number {
  if ((b[start]! & 0x80) !== 0) {
    // GNU base-256 for sizes above 8 GiB
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = tarString(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function parsePax(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(text.slice(i, sp));
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

async function extractTar(file: string, root: string, gz: boolean, limits: ExtractLimits): Promise<{ entries: number; bytes: number }> {
  const w = createWriter(file, root, limits);
  let buf: Buffer = Buffer.alloc(0);
  let remaining = 0; // body bytes of the current entry still to come
  let padding = 0;
  let out: FileHandle | undefined;
  let meta: Buffer[] | undefined; // body of a pax/longname entry being collected
  let metaType = '';
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  let ended = false;

  const header = async (h: Buffer) => {
    if (h.every((x) => x === 0)) {
      ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== tarNumber(h, 148, 8)) throw archiveInvalidError(file, 'tar header checksum mismatch');
    const type = String.fromCharCode(h[156] || 48);
    const size = tarNumber(h, 124, 12);
    const prefix = h.toString('latin1', 257, 262) === 'ustar' ? tarString(h, 345, 155) : '';
    let name = longName ?? pax['path'] ?? (prefix ? `${prefix}/${tarString(h, 0, 100)}` : tarString(h, 0, 100));
    const linkName = longLink ?? pax['linkpath'] ?? tarString(h, 157, 100);
    const mode = tarNumber(h, 100, 8);
    remaining = size;
    padding = (512 - (size % 512)) % 512;
    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
      if (size > 1024 * 1024) throw archiveInvalidError(file, 'oversized tar metadata entry');
      meta = [];
      metaType = type;
      return;
    }
    longName = undefined;
    longLink = undefined;
    pax = {};
    name = name.replace(/^\.\//, '');
    if (name === '' || name === '.') return; // the archive root itself
    switch (type) {
      case '0':
      case '7':
        out = await w.file(name, mode);
        break;
      case '5':
        await w.dir(name);
        break;
      case '2':
        await w.link(name, linkName);
        break;
      case '1':
        throw archiveInvalidError(file, `hard link "${name}" is not supported`);
      default:
        throw archiveInvalidError(file, `entry "${name}" has unsupported type "${type}" (devices, FIFOs are refused)`);
    }
  };

  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _e, cb) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      (async () => {
        while (!ended) {
          if (remaining > 0) {
            if (buf.length === 0) return;
            const n = Math.min(remaining, buf.length);
            const piece = buf.subarray(0, n);
            buf = buf.subarray(n);
            remaining -= n;
            if (meta) meta.push(piece);
            else if (out) {
              w.count(n);
              await out.write(piece);
            }
            if (remaining > 0) return;
          }
          if (out) {
            await out.close();
            out = undefined;
          }
          if (meta) {
            const text = Buffer.concat(meta).toString('utf8');
            if (metaType === 'L') longName = text.replace(/\0+$/, '');
            else if (metaType === 'K') longLink = text.replace(/\0+$/, '');
            else if (metaType === 'x') pax = parsePax(text);
            meta = undefined;
          }
          if (padding > 0) {
            const n = Math.min(padding, buf.length);
            buf = buf.subarray(n);
            padding -= n;
            if (padding > 0) return;
          }
          if (buf.length < 512) return;
          const h = buf.subarray(0, 512);
          buf = buf.subarray(512);
          await header(h);
        }
      })().then(() => cb(), (err: Error) => cb(err));
    },
    final(cb) {
      (async () => {
        if (out) await out.close();
        if (!ended && (remaining > 0 || buf.length > 0)) throw archiveInvalidError(file, 'truncated tar archive');
      })().then(() => cb(), (err: Error) => cb(err));
    },
  });
  try {
    const src = createReadStream(file, { highWaterMark: 1024 * 1024 });
    await (gz ? pipeline(src, createGunzip(), sink) : pipeline(src, sink));
  } catch (err) {
    await out?.close().catch(() => undefined);
    if ((err as { code?: string }).code?.startsWith('Z_')) throw archiveInvalidError(file, `gzip data is damaged (${(err as Error).message})`);
    throw err;
  }
  return w.stats;
}

// ---- zip (central directory; stored and deflate; no ZIP64, no encryption) ----

async function extractZip(file: string, root: string, limits: ExtractLimits): Promise<{ entries: number; bytes: number }> {
  const w = createWriter(file, root, limits);
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
    if (eocd < 0) throw archiveInvalidError(file, 'zip end of central directory not found');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw archiveInvalidError(file, 'ZIP64 archives are not supported');
    if (cdOffset + cdSize > size) throw archiveInvalidError(file, 'zip central directory out of range');
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    let p = 0;
    for (let e = 0; e < count; e++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw archiveInvalidError(file, 'zip central directory is damaged');
      const madeBy = cd.readUInt16LE(p + 4) >> 8;
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const compSize = cd.readUInt32LE(p + 20);
      const rawSize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const external = cd.readUInt32LE(p + 38);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
      p += 46 + nameLen + extraLen + commentLen;
      const unixMode = madeBy === 3 ? external >>> 16 : 0;
      if ((flags & 0x1) !== 0) throw archiveInvalidError(file, `entry "${name}" is encrypted`);
      if (name.endsWith('/')) {
        await w.dir(name);
        continue;
      }
      if ((unixMode & 0o170000) === 0o120000) throw archiveInvalidError(file, `entry "${name}" is a symbolic link (refused in zip archives)`);
      if (method !== 0 && method !== 8) throw archiveInvalidError(file, `entry "${name}" uses unsupported compression method ${method}`);
      const lh = Buffer.alloc(30);
      await fh.read(lh, 0, 30, localOffset);
      if (lh.readUInt32LE(0) !== 0x04034b50) throw archiveInvalidError(file, `local header of "${name}" is damaged`);
      const dataStart = localOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
      if (dataStart + compSize > size) throw archiveInvalidError(file, `entry "${name}" is out of range`);
      const out = await w.file(name, unixMode & 0o777 ? unixMode : 0o644);
      if (out === undefined) continue;
      let written = 0;
      try {
        const sink = new Writable({
          write(chunk: Buffer, _e, cb) {
            written += chunk.length;
            try {
              w.count(chunk.length);
              if (written > rawSize) throw archiveInvalidError(file, `entry "${name}" is larger than declared`);
            } catch (err) {
              cb(err as Error);
              return;
            }
            out.write(chunk).then(() => cb(), (err: Error) => cb(err));
          },
        });
        // An empty stored file (zip(1) writes one for every 0-byte file) has no data: a read stream with
        // end < start would throw.
        if (compSize > 0) {
          const src = createReadStream(file, { start: dataStart, end: dataStart + compSize - 1 });
          await (method === 8 ? pipeline(src, createInflateRaw(), sink) : pipeline(src, sink));
        }
      } catch (err) {
        if ((err as { code?: string }).code?.startsWith('Z_')) throw archiveInvalidError(file, `entry "${name}" is damaged (${(err as Error).message})`);
        throw err;
      } finally {
        await out.close();
      }
      if (written !== rawSize) throw archiveInvalidError(file, `entry "${name}" has ${written} bytes, ${rawSize} declared`);
    }
    return w.stats;
  } finally {
    await fh.close();
  }
}

