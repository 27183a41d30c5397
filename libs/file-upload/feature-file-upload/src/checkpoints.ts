// Provider resume state on disk (stateDir/uploads/<key>.json): written atomically (temp + rename), keyed
// by file identity and target so a later `start` of the same file to the same place resumes.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from '@ledge/file-upload/model-file-upload';

export function checkpointKey(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

export function fileCheckpoint(dir: string, key: string): Checkpoint {
  const file = join(dir, 'uploads', `${key}.json`);
  return {
    async load() {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as unknown;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return undefined;
        throw err;
      }
    },
    async save(value) {
      await mkdir(join(dir, 'uploads'), { recursive: true });
      const tmp = `${file}.tmp`;
      await writeFile(tmp, JSON.stringify(value));
      await rename(tmp, file);
    },
    async clear() {
      await rm(file, { force: true });
    },
  };
}
