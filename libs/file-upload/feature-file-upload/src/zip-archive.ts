// Zip archives of file-backup (Kanto's backups are zip files): a directory zipped as it is, and an
// untrusted zip unpacked into an empty directory. yazl/yauzl (pure JS) do the format; the rules here are
// Ledge's: only regular files and directories, every entry inside the target (yauzl refuses absolute
// names and `..`; checked again on the resolved path), no links, no setuid bits, and limits on the number
// of entries and on the bytes really inflated (a zip bomb stops at the limit, not at its declared size).
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { archiveRefusedError } from '@ledge/file-upload/model-file-upload';
import { syncDirectory, syncFile } from '@ledge/shared/util';

export interface ZipLimits {
  /** Bytes all entries may inflate to together. */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/** Zips every regular file and directory below `dir` into `out` (fsynced); symbolic links and other special files are left out and named. */
export async function zipDirectory(dir: string, out: string): Promise<{ files: number; bytes: number; skipped: string[] }> {
  const zip = new yazl.ZipFile();
  const skipped: string[] = [];
  let files = 0;
  let bytes = 0;
  const walk = async (abs: string, rel: string): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const a = join(abs, e.name);
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      const st = await lstat(a);
      if (st.isDirectory()) {
        zip.addEmptyDirectory(r, { mtime: st.mtime, mode: st.mode & 0o7777 });
        await walk(a, r);
      } else if (st.isFile()) {
        zip.addReadStreamLazy(r, { mtime: st.mtime, mode: st.mode & 0o777, size: st.size }, (cb) => cb(null, createReadStream(a)));
        files++;
        bytes += st.size;
      } else skipped.push(r);
    }
  };
  await walk(dir, '');
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out, { mode: 0o600 }));
  await syncFile(out);
  return { files, bytes, skipped };
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) => yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: true }, (err, z) => (err ? rej(err) : res(z))));
}

/**
 * Unpacks `zipPath` into `dest` (which must exist and be empty). Any refusal throws ARCHIVE_REFUSED;
 * what was written so far stays in `dest` for the caller to remove (it unpacks beside the target).
 */
export async function unzipInto(zipPath: string, dest: string, limits: ZipLimits): Promise<{ files: number; bytes: number }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch (err) {
    throw archiveRefusedError(`not a readable zip file (${(err as Error).message})`);
  }
  const root = resolve(dest);
  const dirs = new Set<string>([root]);
  let entries = 0;
  let files = 0;
  let bytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (++entries > limits.maxEntries) throw archiveRefusedError(`more than ${limits.maxEntries} entries`);
      const name = entry.fileName;
      const target = resolve(root, name);
      if (target !== root && !target.startsWith(root + sep)) throw archiveRefusedError(`entry '${name}' lies outside the target`);
      if (entry.isEncrypted()) throw archiveRefusedError(`entry '${name}' is encrypted`);
      const unixMode = entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
      const type = unixMode & S_IFMT;
      const isDir = name.endsWith('/');
      if (type !== 0 && type !== (isDir ? S_IFDIR : S_IFREG)) throw archiveRefusedError(`entry '${name}' is not a regular file or directory (a link or special file)`);
      const perm = unixMode & 0o777;
      if (isDir) {
        await mkdir(target, { recursive: true, mode: perm ? perm | 0o700 : 0o755 });
        dirs.add(target);
        continue;
      }
      if (!entry.canDecodeFileData()) throw archiveRefusedError(`entry '${name}' uses compression method ${entry.compressionMethod}`);
      if (bytes + entry.uncompressedSize > limits.maxBytes) throw archiveRefusedError(`unpacks to more than ${limits.maxBytes} bytes`);
      await mkdir(dirname(target), { recursive: true });
      const input = await zip.openReadStreamPromise(entry);
      // Counted as inflated, whatever the entry declares (validateEntrySizes also fails a lying entry).
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (bytes > limits.maxBytes) cb(archiveRefusedError(`unpacks to more than ${limits.maxBytes} bytes`));
          else cb(null, chunk);
        },
      });
      await pipeline(input, counter, createWriteStream(target, { flags: 'wx', mode: perm || 0o644 }));
      // On disk before the caller swaps the directory in: after a power cut the restored files are whole.
      await syncFile(target);
      dirs.add(dirname(target));
      files++;
    }
    for (const d of dirs) await syncDirectory(d);
  } catch (err) {
    zip.close();
    if ((err as { code?: string }).code === 'EEXIST') throw archiveRefusedError(`an entry is in the archive twice (${relative(root, (err as { path?: string }).path ?? '')})`);
    if ((err as { code?: string }).code?.startsWith('LEDGE_')) throw err;
    throw archiveRefusedError((err as Error).message);
  }
  return { files, bytes };
}
