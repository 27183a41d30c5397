// FILE artifacts (§5.2): a local path, allowed only inside installDirs. strict compares real paths (no
// escape through links), scoped compares the normalised path, lax accepts any absolute path.
import { copyFile, realpath } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAbsolute, normalize, sep } from 'node:path';
import { fileRefusedError } from './errors';

export type FileMode = 'strict' | 'scoped' | 'lax';

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

export async function resolveFileArtifact(url: string, installDirs: readonly string[], mode: FileMode): Promise<string> {
  let path: string;
  try {
    path = url.startsWith('file:') ? fileURLToPath(url) : url;
  } catch {
    throw fileRefusedError(url, 'not a valid file URL');
  }
  if (!isAbsolute(path)) throw fileRefusedError(url, 'not an absolute path');
  if (mode === 'lax') return path;
  if (installDirs.length === 0) throw fileRefusedError(url, 'no installDirs configured');
  if (mode === 'scoped') {
    const n = normalize(path);
    if (!installDirs.some((d) => inside(normalize(d), n))) throw fileRefusedError(url, 'outside installDirs');
    return n;
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw fileRefusedError(url, 'does not exist');
  }
  const dirs = await Promise.all(installDirs.map((d) => realpath(d).catch(() => undefined)));
  if (!dirs.some((d) => d !== undefined && inside(d, real))) throw fileRefusedError(url, 'outside installDirs');
  return real;
}

export async function copyFileArtifact(from: string, to: string): Promise<void> {
  await copyFile(from, to);
}
