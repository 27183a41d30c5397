// An in-memory ContainerRuntime for unit tests of the manager: tasks are records, exits are simulated.
// It passes the lifecycle part of the runtime contract (memory-runtime.spec.ts), as containerd does.
import type { ContainerConfig, ContainerRuntime, ContainerStats, ExecResult, ExitEvent, ImageInfo, LogLine, Resources, TaskInfo } from '@ledge/container-management/model-containers';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError, UnavailableError } from '@ledge/shared/util';

export interface MemoryRuntime extends ContainerRuntime {
  /** Pretend the task ended on its own (crash, exit, OOM). */
  exit(id: string, exitCode: number, oomKilled?: boolean): void;
  readonly containers: ReadonlyMap<string, { config: ContainerConfig; task: TaskInfo | undefined; resources: Resources }>;
  /** Every call, e.g. 'pull docker.io/x', 'start <id>'. */
  readonly calls: string[];
  /** Image refs pullImage refuses (NotFoundError). */
  readonly missingImages: Set<string>;
  /** The next call whose `calls` line starts with `prefix` (e.g. 'start c1.1', 'remove ') throws `error` (default an UnavailableError). */
  failNext(prefix: string, error?: Error): void;
  /** Calls whose `calls` line starts with `prefix` wait until the returned function is called (e.g. a slow pull). */
  hold(prefix: string): () => void;
  /** When set, exit events (of stop, remove and exit()) wait for flushExits(): containerd reports a stop's exit after the call returned. */
  deferExits: boolean;
  flushExits(): void;
  /**
   * How exec in container `id` answers from now on (default exit 0, no output): a result, or a function of
   * the argv returning one, a promise of one, or throwing (e.g. a timeout). Applies to replacements
   * `<id>.<n>` too, unless they have their own.
   */
  scriptExec(id: string, reply: ExecResult | ((argv: readonly string[]) => ExecResult | Promise<ExecResult>)): void;
}

/** `now`: the clock of exit times and stats timestamps (fake time in specs); default Date.now. */
export function createMemoryRuntime(options: { now?: () => number } = {}): MemoryRuntime {
  const now = options.now ?? Date.now;
  const images = new Map<string, ImageInfo>();
  const containers = new Map<string, { config: ContainerConfig; task: TaskInfo | undefined; resources: Resources; cpu: number }>();
  const listeners = new Set<(e: ExitEvent) => void>();
  const calls: string[] = [];
  const missingImages = new Set<string>();
  const faults: { prefix: string; error: Error }[] = [];
  const holds = new Map<string, Promise<void>>();
  const deferred: ExitEvent[] = [];
  const execReplies = new Map<string, (argv: readonly string[]) => ExecResult | Promise<ExecResult>>();
  let nextPid = 1000;

  /** Records the call, waits while it is held, throws an injected fault. */
  const enter = async (line: string) => {
    calls.push(line);
    for (const [prefix, released] of holds) if (line.startsWith(prefix)) await released;
    const i = faults.findIndex((f) => line.startsWith(f.prefix));
    if (i >= 0) throw faults.splice(i, 1)[0]!.error;
  };
  const deliver = (e: ExitEvent) => {
    for (const l of [...listeners]) l(e);
  };

  const get = (id: string) => {
    const c = containers.get(id);
    if (c === undefined) throw new NotFoundError('LEDGE_TEST_NOT_FOUND', `container ${id} not found`);
    return c;
  };
  const emitExit = (id: string, exitCode: number, oomKilled: boolean): ExitEvent => {
    const c = get(id);
    const e: ExitEvent = { id, pid: c.task?.pid ?? 0, exitCode, exitedAt: new Date(now()), oomKilled };
    c.task = { status: 'stopped', pid: e.pid, exitCode, exitedAt: e.exitedAt };
    if (runtime.deferExits) deferred.push(e);
    else deliver(e);
    return e;
  };
  const isLive = (t: TaskInfo | undefined) => t !== undefined && (t.status === 'running' || t.status === 'paused');

  const runtime: MemoryRuntime = {
    containers,
    calls,
    missingImages,
    deferExits: false,
    failNext(prefix, error) {
      faults.push({ prefix, error: error ?? new UnavailableError('LEDGE_TEST_FAULT', `injected fault: ${prefix}`) });
    },
    hold(prefix) {
      let release!: () => void;
      holds.set(prefix, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(prefix);
        release();
      };
    },
    flushExits() {
      for (const e of deferred.splice(0)) deliver(e);
    },
    scriptExec(id, reply) {
      execReplies.set(id, typeof reply === 'function' ? reply : () => reply);
    },
    async info() {
      return { engine: 'containerd', version: 'memory', revision: '0', namespace: 'test' };
    },
    async pullImage(ref) {
      await enter(`pull ${ref}`);
      if (missingImages.has(ref)) throw new NotFoundError('LEDGE_TEST_IMAGE', `image ${ref} not found`);
      const info = { ref, digest: `sha256:${'0'.repeat(64)}`, size: 1000 };
      images.set(ref, info);
      return info;
    },
    async getImage(ref) {
      return images.get(ref);
    },
    async createContainer(id, config) {
      await enter(`create ${id}`);
      if (containers.has(id)) throw new AlreadyExistsError('LEDGE_TEST_EXISTS', `container ${id} exists`);
      if (!images.has(config.imageRef)) throw new NotFoundError('LEDGE_TEST_IMAGE', `image ${config.imageRef} not pulled`);
      containers.set(id, { config, task: undefined, resources: config.resources, cpu: 0 });
    },
    async startContainer(id, config) {
      await enter(`start ${id}`);
      const c = get(id);
      if (isLive(c.task)) throw new FailedPreconditionError('LEDGE_TEST_RUNNING', `task ${id} is running`);
      c.config = config;
      const pid = nextPid++;
      c.task = { status: 'running', pid };
      return { pid };
    },
    async stopContainer(id, options) {
      await enter(`stop ${id} ${options.signal ?? 'SIGTERM'}`);
      const { task } = get(id);
      if (task === undefined) throw new NotFoundError('LEDGE_TEST_NO_TASK', `container ${id} has no task`);
      // As containerd: a task that already ended answers with its exit.
      if (!isLive(task)) return { id, pid: task.pid, exitCode: task.exitCode ?? 0, exitedAt: task.exitedAt ?? new Date(now()), oomKilled: false };
      return emitExit(id, options.signal === 'SIGKILL' ? 137 : 0, false);
    },
    async pauseContainer(id) {
      await enter(`pause ${id}`);
      const c = get(id);
      if (c.task?.status !== 'running') throw new FailedPreconditionError('LEDGE_TEST_NOT_RUNNING', `task ${id} is not running`);
      c.task = { ...c.task, status: 'paused' };
    },
    async resumeContainer(id) {
      await enter(`resume ${id}`);
      const c = get(id);
      if (c.task?.status !== 'paused') throw new FailedPreconditionError('LEDGE_TEST_NOT_PAUSED', `task ${id} is not paused`);
      c.task = { ...c.task, status: 'running' };
    },
    async updateResources(id, resources) {
      await enter(`update ${id}`);
      get(id).resources = resources;
    },
    async taskInfo(id) {
      return get(id).task;
    },
    async removeContainer(id, { force }) {
      await enter(`remove ${id}${force ? ' force' : ''}`);
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
      await enter(`attach ${id}`);
      return get(id).task;
    },
    async stats(id): Promise<ContainerStats> {
      const c = get(id);
      if (c.task?.status !== 'running' && c.task?.status !== 'paused') throw new FailedPreconditionError('LEDGE_TEST_NOT_RUNNING', `task ${id} is not running`);
      c.cpu += 1e7;
      return { cpuNanos: c.cpu, memoryUsedBytes: 1396736, memoryTotalBytes: c.resources.memoryBytes ?? 8 * 1396736, ioReadBytes: 10, ioWriteBytes: 20, netReadBytes: 30, netWriteBytes: 40, pids: 1, timestamp: now() };
    },
    async exec(id, argv) {
      await enter(`exec ${id} ${argv.join(' ')}`);
      const { task } = get(id);
      if (task === undefined) throw new NotFoundError('LEDGE_TEST_NO_TASK', `container ${id} has no task`);
      if (task.status !== 'running') throw new FailedPreconditionError('LEDGE_TEST_NOT_RUNNING', `task ${id} is ${task.status}`);
      const reply = execReplies.get(id) ?? execReplies.get(id.replace(/\.\d+$/, ''));
      return reply ? await reply(argv) : { exitCode: 0, output: '' };
    },
    async address(id) {
      const c = get(id);
      if (c.task?.status !== 'running' && c.task?.status !== 'paused') return undefined;
      return c.config.networkMode === 'host' ? '127.0.0.1' : `10.217.0.${(c.task.pid % 250) + 2}`;
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
  return runtime;
}
