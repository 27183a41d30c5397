// Accepted operations on disk (§5.5): `<storage>/download/<n>/updatable.json` holds the request, each
// module's `<n>/<i>/internal-status` the last stage reached. Written with fsync + rename before the 204
// goes out, so an accepted operation survives a crash or power cut and resumes where it stopped.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseStage, stageText, type ModuleStage, type OperationStatusValue, type SoftwareModuleId, type UpdateAction, type UpdateOperation } from '@ledge/software-update/model-software-update';
import { readJson, readText, writeFileAtomic } from './fs-util';

export interface StoredOperation {
  readonly id: number;
  readonly dir: string;
  readonly operation: UpdateOperation;
  readonly action: UpdateAction;
  readonly acceptedAt: string;
}

export interface LastStatuses {
  lastOperation?: OperationStatusValue;
  lastFailedOperation?: OperationStatusValue;
  /** Unix seconds: when the last operation reached its final status (saved with it; absent in older files). */
  finishedAt?: number;
}

export interface OperationStore {
  readonly root: string;
  readonly modulesDir: string;
  readonly depsDir: string;
  init(): Promise<void>;
  add(operation: UpdateOperation, action: UpdateAction): Promise<StoredOperation>;
  /** Stored operations, oldest first; unreadable ones are removed and reported through `onBroken`. */
  list(onBroken?: (dir: string) => void): Promise<StoredOperation[]>;
  moduleDir(op: StoredOperation, index: number): string;
  stage(op: StoredOperation, index: number): Promise<ModuleStage>;
  setStage(op: StoredOperation, index: number, stage: ModuleStage, module: SoftwareModuleId): Promise<void>;
  remove(op: StoredOperation): Promise<void>;
  saveLast(last: LastStatuses): Promise<void>;
  loadLast(): Promise<LastStatuses>;
}

export function createOperationStore(storage: string): OperationStore {
  const downloads = join(storage, 'download');
  const modulesDir = join(storage, 'modules');
  const depsDir = join(storage, 'installed-deps');
  let next = 0;
  const moduleDir = (op: StoredOperation, i: number) => join(op.dir, String(i));
  return {
    root: storage,
    modulesDir,
    depsDir,
    async init() {
      for (const d of [downloads, modulesDir, depsDir]) await mkdir(d, { recursive: true, mode: 0o750 });
      const ids = (await readdir(downloads)).filter((n) => /^\d+$/.test(n)).map(Number);
      next = ids.length === 0 ? 0 : Math.max(...ids) + 1;
    },
    async add(operation, action) {
      const id = next++;
      const dir = join(downloads, String(id));
      await mkdir(dir, { recursive: true });
      const op: StoredOperation = { id, dir, operation, action, acceptedAt: new Date().toISOString() };
      try {
        await writeFileAtomic(join(dir, 'updatable.json'), JSON.stringify({ operation, action, acceptedAt: op.acceptedAt }));
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      return op;
    },
    async list(onBroken) {
      const names = (await readdir(downloads)).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
      const out: StoredOperation[] = [];
      for (const n of names) {
        const dir = join(downloads, n);
        const v = await readJson<{ operation?: unknown; action?: UpdateAction; acceptedAt?: string }>(join(dir, 'updatable.json'));
        if (v === undefined || (v.operation !== 'install' && v.operation !== 'download') || !Array.isArray(v.action?.softwareModules)) {
          onBroken?.(dir);
          await rm(dir, { recursive: true, force: true });
          continue;
        }
        out.push({ id: Number(n), dir, operation: v.operation, action: v.action, acceptedAt: v.acceptedAt ?? '' });
      }
      return out;
    },
    moduleDir,
    async stage(op, i) {
      return parseStage((await readText(join(moduleDir(op, i), 'internal-status'))) ?? '');
    },
    async setStage(op, i, stage, module) {
      await mkdir(moduleDir(op, i), { recursive: true });
      await writeFileAtomic(join(moduleDir(op, i), 'internal-status'), stageText(stage, module));
    },
    async remove(op) {
      await rm(op.dir, { recursive: true, force: true });
    },
    async saveLast(last) {
      await writeFileAtomic(join(storage, 'last-operation.json'), JSON.stringify(last));
    },
    async loadLast() {
      return (await readJson<LastStatuses>(join(storage, 'last-operation.json'))) ?? {};
    },
  };
}
