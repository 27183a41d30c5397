// Reading back a tar.gz a test got (an upload, a support bundle) with the system's tar, in a temp dir
// removed after the test.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, type TestContextLike } from './processes';

export interface ExtractedArchive {
  /** Where the members are (nothing else is there). */
  readonly dir: string;
  /** Member names as the archive lists them. */
  readonly list: string[];
  /** A member's text. */
  read(name: string): string;
}

export function extractTarGz(t: TestContextLike, archive: Buffer): ExtractedArchive {
  const file = join(createTempDir(t, 'ledge-archive-'), 'archive.tar.gz');
  const dir = createTempDir(t, 'ledge-extracted-'); // holds the members alone
  writeFileSync(file, archive);
  const list = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  return { dir, list, read: (name) => readFileSync(join(dir, name), 'utf8') };
}
