// The file system side of AutoUploadable: glob expansion (Node 20 has no fs.glob), realpath confinement
// (a `..` or a symlink must not lead a match out of its glob), streaming sources, MD5.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkConfined, globToRegExp, pathRefusedError, splitGlob, type Selection, type UploadSource } from '@ledge/file-upload/model-file-upload';
import { isLedgeError } from '@ledge/shared/util';
import { fileUnreadableError } from './errors';

async function walk(dir: string, depth: number, re: RegExp, out: string[]): Promise<void> {
  if (depth <= 0) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, depth - 1, re, out);
    else if ((e.isFile() || e.isSymbolicLink()) && re.test(p)) out.push(p);
  }
}

/** Candidate paths of a glob (regular files and symlinks), sorted. */
export async function expandGlob(glob: string): Promise<string[]> {
  const { base, maxDepth } = splitGlob(glob);
  const re = globToRegExp(glob);
  const out: string[] = [];
  if (!/[*?[]/.test(glob)) {
    if (await lstat(glob).then(() => true, () => false)) out.push(glob);
    return out;
  }
  await walk(base, maxDepth, re, out);
  return out.sort();
}

/** The glob with its static base resolved through symlinks (so /tmp → /private/tmp style links still match). */
async function realGlob(glob: string): Promise<string> {
  const { base, rest } = splitGlob(glob);
  const real = await realpath(base).catch(() => base);
  return real === '/' ? `/${rest}` : `${real}/${rest}`;
}

/** Resolves `path` and checks it against the selection's confinement; returns the real path of a regular file. */
export async function confine(path: string, selection: Selection): Promise<string> {
  if (path.split('/').includes('..')) throw pathRefusedError(path, "'..' is not allowed");
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw fileUnreadableError(path, err);
  }
  checkConfined(real, await Promise.all(selection.confine.map(realGlob)));
  const st = await stat(real).catch((err: unknown) => {
    throw fileUnreadableError(path, err);
  });
  if (!st.isFile()) throw fileUnreadableError(path, new Error('not a regular file'));
  return real;
}

/** Expands the selection and keeps the confined files; refused ones are reported separately. */
export async function selectFiles(selection: Selection): Promise<{ files: string[]; refused: { path: string; reason: string }[] }> {
  const files: string[] = [];
  const refused: { path: string; reason: string }[] = [];
  for (const p of await expandGlob(selection.select)) {
    try {
      await confine(p, selection);
      files.push(p);
    } catch (err) {
      if (!isLedgeError(err)) throw err;
      refused.push({ path: p, reason: err.message });
    }
  }
  return { files, refused };
}

export async function fileSource(path: string): Promise<UploadSource & { mtimeMs: number }> {
  const st = await stat(path).catch((err: unknown) => {
    throw fileUnreadableError(path, err);
  });
  return {
    path,
    size: st.size,
    mtimeMs: st.mtimeMs,
    stream(start: number, end: number): AsyncIterable<Uint8Array> {
      if (end <= start) return (async function* () {})();
      return createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 });
    },
  };
}

export async function md5Base64(source: UploadSource): Promise<string> {
  const h = createHash('md5');
  for await (const c of source.stream(0, source.size)) h.update(c);
  return h.digest('base64');
}
