// The journal of the update in progress: written before its first change to a container and when its
// activation succeeded, removed when it ends. After a restart of container management in the middle of an
// update, it says what to restore (which containers ran, their restart policy and limits) or, past a
// successful activation, that only the cleanup is left. `<homeDir>/update-agent/<domain>.json`, written
// atomically (temp file, fsync, rename).
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';
import { updateJournalCorruptError } from '../errors';
import type { RestorableAction } from './restore-plan';

export interface Journal {
  readonly activityId: string;
  /** ACTIVATION_SUCCESS was reported: a restart finishes the cleanup instead of restoring. */
  readonly activated: boolean;
  readonly actions: readonly RestorableAction[];
}

export interface JournalStore {
  /** Undefined when there is none; a journal that cannot be read throws LEDGE_CM_UPDATE_JOURNAL_CORRUPT. */
  load(): Promise<Journal | undefined>;
  save(journal: Journal): Promise<void>;
  clear(): Promise<void>;
}

const KINDS = new Set(['create', 'recreate', 'update', 'keep', 'destroy']);

function check(v: unknown): Journal {
  if (!isPlainObject(v) || typeof v['activityId'] !== 'string' || typeof v['activated'] !== 'boolean' || !Array.isArray(v['actions'])) throw new Error('not a journal object');
  for (const a of v['actions'] as unknown[]) {
    if (!isPlainObject(a) || !KINDS.has(a['kind'] as string) || typeof a['name'] !== 'string' || typeof a['wasLive'] !== 'boolean') throw new Error(`bad action ${JSON.stringify(a)}`);
  }
  return v as unknown as Journal;
}

export function createJournalStore(homeDir: string, domain: string): JournalStore {
  const dir = join(homeDir, 'update-agent');
  const file = join(dir, `${domain}.json`);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw updateJournalCorruptError(file, err);
      }
      try {
        return check(JSON.parse(text));
      } catch (err) {
        throw updateJournalCorruptError(file, err);
      }
    },
    async save(journal) {
      await mkdir(dir, { recursive: true });
      await writeFileDurably(file, `${JSON.stringify(journal, null, 2)}\n`);
    },
    async clear() {
      await rm(file, { force: true });
    },
  };
}
