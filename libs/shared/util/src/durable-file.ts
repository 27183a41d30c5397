// Files that survive a power cut: the data fdatasync'ed, a replacement swapped in by rename, and the
// directory fsynced so the new entry itself is on disk. One home for what file-backup's restore journal,
// bootstrapping's provisioning and the downloads/unpacking steps each need.
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of a directory (created, renamed, deleted entries); a file system that cannot still renames atomically. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // EINVAL/EPERM on such file systems: nothing more to do there
  } finally {
    await fh.close();
  }
}

/** fdatasync of a file written by someone else (a stream). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces `path` with `data` atomically and durably: `<path>.tmp` written with `mode` (and `owner`, when
 * given: needs root), fdatasync'ed, renamed over `path`, the directory fsynced.
 */
export async function writeFileDurably(path: string, data: string | Uint8Array, options: { mode?: number; owner?: { uid: number; gid: number } } = {}): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', options.mode ?? 0o600);
  try {
    if (options.owner) await fh.chown(options.owner.uid, options.owner.gid);
    await fh.writeFile(data);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}
