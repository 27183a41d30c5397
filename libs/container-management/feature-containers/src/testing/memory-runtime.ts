// An in-memory ContainerRuntime for unit tests of the manager: tasks are records, exits are simulated.
import type { ContainerConfig, ContainerRuntime, ContainerStats, ExitEvent, ImageInfo, LogLine, Resources, TaskInfo } from '@ledge/container-management-model';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '@ledge/util';

export interface MemoryRuntime extends ContainerRuntime {
  /** Pretend the task ended on its own (crash, exit, OOM). */
  exit(id: string, exitCode: number, oomKilled?: boolean): void;
  readonly containers: ReadonlyMap<string, { config: ContainerConfig; task: TaskInfo | undefined; resources: Resources }>;
  /** Every call, e.g. 'pull docker.io/x', 'start <id>'. */
  readonly calls: string[];
  /** Image refs pullImage refuses (NotFoundError). */
  readonly missingImages: Set<string>;
}

export function createMemoryRuntime(): MemoryRuntime {
  const images = new Map<string, ImageInfo>();
  const containers = new Map<string, { config: ContainerConfig; task: TaskInfo | undefined; resources: Resources; cpu: number }>();
  const listeners = new Set<(e: ExitEvent) => void>();
  const calls: string[] = [];
  const missingImages = new Set<string>();
  let nextPid = 1000;

  const get = (id: string) => {
    const c = containers.get(id);
    if (c === undefined) throw new NotFoundError('LEDGE_TEST_NOT_FOUND', `container ${id} not found`);
    return c;
  };
  const emitExit = (id: string, exitCode: number, oomKilled: boolean): ExitEvent => {
    const c = get(id);
    const e: ExitEvent = { id, pid: c.task?.pid ?? 0, exitCode, exitedAt: new Date(), oomKilled };
    c.task = { status: 'stopped', pid: 0, exitCode, exitedAt: e.exitedAt };
    for (const l of [...listeners]) l(e);
    return e;
  };
  const isLive = (t: TaskInfo | undefined) => t !== undefined && (t.status === 'running' || t.status === 'paused');

  return {
    containers,
    calls,
    missingImages,
    async info() {
      return { engine: 'containerd', version: 'memory', revision: '0', namespace: 'test' };
    },
    async pullImage(ref) {
      calls.push(`pull ${ref}`);
      if (missingImages.has(ref)) throw new NotFoundError('LEDGE_TEST_IMAGE', `image ${ref} not found`);
      const info = { ref, digest: `sha256:${'0'.repeat(64)}`, size: 1000 };
      images.set(ref, info);
      return info;
    },
    async getImage(ref) {
      return images.get(ref);
    },
    async createContainer(id, config) {
      calls.push(`create ${id}`);
      if (containers.has(id)) throw new AlreadyExistsError('LEDGE_TEST_EXISTS', `container ${id} exists`);
      if (!images.has(config.imageRef)) throw new NotFoundError('LEDGE_TEST_IMAGE', `image ${config.imageRef} not pulled`);
      containers.set(id, { config, task: undefined, resources: config.resources, cpu: 0 });
    },
    async startContainer(id, config) {
      calls.push(`start ${id}`);
      const c = get(id);
      if (isLive(c.task)) throw new FailedPreconditionError('LEDGE_TEST_RUNNING', `task ${id} is running`);
      c.config = config;
      const pid = nextPid++;
      c.task = { status: 'running', pid };
      return { pid };
    },
    async stopContainer(id, options) {
      calls.push(`stop ${id} ${options.signal ?? 'SIGTERM'}`);
      const c = get(id);
      if (!isLive(c.task)) throw new FailedPreconditionError('LEDGE_TEST_NOT_RUNNING', `task ${id} is not running`);
      return emitExit(id, options.signal === 'SIGKILL' ? 137 : 0, false);
    },
    async pauseContainer(id) {
      calls.push(`pause ${id}`);
      const c = get(id);
      if (c.task?.status !== 'running') throw new FailedPreconditionError('LEDGE_TEST_NOT_RUNNING', `task ${id} is not running`);
      c.task = { ...c.task, status: 'paused' };
    },
    async resumeContainer(id) {
      calls.push(`resume ${id}`);
      const c = get(id);
      if (c.task?.status !== 'paused') throw new FailedPreconditionError('LEDGE_TEST_NOT_PAUSED', `task ${id} is not paused`);
      c.task = { ...c.task, status: 'running' };
    },
    async updateResources(id, resources) {
      calls.push(`update ${id}`);
      get(id).resources = resources;
    },
    async taskInfo(id) {
      return get(id).task;
    },
    async removeContainer(id, { force }) {
      calls.push(`remove ${id}${force ? ' force' : ''}`);
      const c = get(id);
      if (isLive(c.task)) {
        if (!force) throw new FailedPreconditionError('LEDGE_TEST_RUNNING', `task ${id} is running`);
        emitExit(id, 137, false);
      }
      containers.delete(id);
    },
    async listContainers() {
      return [...containers.keys()];
    },
    async attach(id) {
      calls.push(`attach ${id}`);
      return containers.get(id)?.task;
    },
    async stats(id): Promise<ContainerStats> {
      const c = get(id);
      if (c.task?.status !== 'running' && c.task?.status !== 'paused') throw new FailedPreconditionError('LEDGE_TEST_NOT_RUNNING', `task ${id} is not running`);
      c.cpu += 1e7;
      return { cpuNanos: c.cpu, memoryUsedBytes: 1396736, memoryTotalBytes: 8 * 1396736, ioReadBytes: 10, ioWriteBytes: 20, netReadBytes: 30, netWriteBytes: 40, pids: 1, timestamp: Date.now() };
    },
    async *logs(): AsyncIterable<LogLine> {
      // no output in memory
    },
    onExit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    exit(id, exitCode, oomKilled = false) {
      emitExit(id, exitCode, oomKilled);
    },
    async close() {
      listeners.clear();
    },
  };
}
