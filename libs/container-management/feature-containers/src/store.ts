// Persisted container records: <home>/containers/<id>/config.json, written atomically (temp file,
// fsync, rename) so a power cut leaves the old or the new record, never half of one.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, ContainerHealth, ContainerState } from '@ledge/container-management/model-containers';
import { isPlainObject } from '@ledge/shared/util-parse';
import { stateCorruptError } from './errors';

export interface ContainerRecord {
  id: string;
  /** The engine's container ID when it is not `id`: a recreate makes the replacement `<id>.<n>` beside the original. */
  runtimeId?: string;
  config: ContainerConfig;
  createdAt: string;
  state: ContainerState;
  /** The user stopped it: no restart policy applies until the next user start. */
  userStopped: boolean;
  /** on-failure bookkeeping: restarts in the current window and when the window began (ms). */
  restartCount: number;
  restartWindowStart: number;
  /** With a health check (issue 18): the health of the current or last run; absent otherwise. */
  health?: ContainerHealth;
}

/** The ID of the record's container in the engine. */
export function runtimeIdOf(r: Pick<ContainerRecord, 'id' | 'runtimeId'>): string {
  return r.runtimeId ?? r.id;
}

/** The engine ID for a replacement of the record's container: `<id>.1`, `<id>.2`… */
export function nextRuntimeId(r: Pick<ContainerRecord, 'id' | 'runtimeId'>): string {
  const n = r.runtimeId === undefined ? 0 : Number(r.runtimeId.slice(r.id.length + 1)) || 0;
  return `${r.id}.${n + 1}`;
}

export interface ContainerStore {
  load(): Promise<{ records: ContainerRecord[]; errors: Error[] }>;
  save(record: ContainerRecord): Promise<void>;
  remove(id: string): Promise<void>;
  dirOf(id: string): string;
}

const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function createContainerStore(homeDir: string): ContainerStore {
  const root = join(homeDir, 'containers');
  const dirOf = (id: string) => join(root, id);
  let seq = 0;
  return {
    dirOf,
    async load() {
      const records: ContainerRecord[] = [];
      const errors: Error[] = [];
      let names: string[] = [];
      try {
        names = await readdir(root);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      for (const name of names.sort()) {
        if (!ID_RE.test(name)) continue;
        const file = join(root, name, 'config.json');
        try {
          const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
          if (!isPlainObject(parsed) || (parsed as Record<string, unknown>)['id'] !== name || !isPlainObject((parsed as Record<string, unknown>)['config'])) {
            throw new Error('not a container record');
          }
          // A replacement's engine ID derives from the record's (nextRuntimeId): never another container's.
          const runtimeId = (parsed as Record<string, unknown>)['runtimeId'];
          if (runtimeId !== undefined && (typeof runtimeId !== 'string' || !ID_RE.test(runtimeId) || !runtimeId.startsWith(`${name}.`))) throw new Error(`bad runtimeId ${String(runtimeId)}`);
          records.push(parsed as unknown as ContainerRecord);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          errors.push(stateCorruptError(file, err));
        }
      }
      return { records, errors };
    },
    async save(record) {
      const dir = dirOf(record.id);
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'config.json');
      const tmp = `${file}.${process.pid}.${++seq}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(JSON.stringify(record, null, 2));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    },
    async remove(id) {
      await rm(dirOf(id), { recursive: true, force: true });
    },
  };
}
