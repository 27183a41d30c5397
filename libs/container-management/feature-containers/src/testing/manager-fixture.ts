// A container manager on the in-memory runtime and a real store in a temp dir, for the manager's specs.
// The store can be told to fail a write or to run a hook before one (e.g. a task exit mid-operation).
import type { TestContextLike } from '@ledge/shared/util/testing';
import { defaultContainerConfig, type ContainerConfig } from '@ledge/container-management/model-containers';
import { captureLogger, createTempDir, onCleanup } from '@ledge/shared/util/testing';
import { createContainerManager, type ContainerManager, type ContainerManagerOptions, type ManagerEvent } from '../manager';
import { createContainerStore, type ContainerRecord, type ContainerStore } from '../store';
import { createMemoryRuntime, type MemoryRuntime } from './memory-runtime';

export interface ManagerFixture {
  manager: ContainerManager;
  runtime: MemoryRuntime;
  home: string;
  log: ReturnType<typeof captureLogger>;
  events: ManagerEvent[];
  /** The next store write throws (once). */
  failNextSave(): void;
  /** Runs before every store write. */
  beforeSave: ((r: ContainerRecord) => void) | undefined;
  /** A config named `name` running image `imageRef` (restart policy `no` unless given). */
  config(name: string, imageRef: string, extra?: Partial<ContainerConfig>): ContainerConfig;
  /** Another manager over the same runtime and home (a daemon restart). */
  restart(): Promise<ManagerFixture>;
}

/** Manager options a spec may set (fake time, network probes); the rest are the fixture's. */
export type ManagerFixtureOptions = Partial<Pick<ContainerManagerOptions, 'now' | 'scheduler' | 'networkProbes' | 'healthSettleMs'>>;

export async function managerFixture(
  t: TestContextLike,
  shared?: { runtime: MemoryRuntime; home: string; log: ReturnType<typeof captureLogger> },
  options: ManagerFixtureOptions = {},
): Promise<ManagerFixture> {
  const runtime = shared?.runtime ?? createMemoryRuntime();
  const home = shared?.home ?? createTempDir(t);
  const log = shared?.log ?? captureLogger('test', 'debug');
  const base = createContainerStore(home);
  let failSave = false;
  const f: ManagerFixture = {
    runtime,
    home,
    log,
    events: [],
    beforeSave: undefined,
    manager: undefined as unknown as ContainerManager,
    failNextSave: () => (failSave = true),
    config: (name, imageRef, extra = {}) => ({ ...defaultContainerConfig(name, imageRef), restartPolicy: { type: 'no' }, ...extra }),
    restart: () => managerFixture(t, { runtime, home, log }, options),
  };
  const store: ContainerStore = {
    ...base,
    async save(r) {
      f.beforeSave?.(r);
      if (failSave) {
        failSave = false;
        throw new Error('disk full');
      }
      await base.save(r);
    },
  };
  f.manager = createContainerManager({ runtime, store, logger: log.logger, restartDelayMs: 0, defaultStopTimeoutMs: 1000, ...options });
  f.manager.onEvent((e) => f.events.push(e));
  // Before the temp dir goes (onCleanup runs last-registered-first): close waits for writes in flight.
  onCleanup(t, () => f.manager.close());
  await f.manager.start();
  return f;
}
