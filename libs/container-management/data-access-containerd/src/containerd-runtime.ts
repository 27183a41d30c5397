// ContainerRuntime over containerd's gRPC API (STYLE.md "containerd"): lease around multi-step work,
// container record + snapshot at create, task with FIFO stdio at start, Wait registered before Start,
// exits from the Events stream (and Wait as a fallback), deduplicated per (container, pid).
import { rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type {
  ContainerConfig,
  ContainerRuntime,
  ExitEvent,
  LogLine,
  Resources,
  StopOptions,
  TaskInfo,
  TaskStatus,
} from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { createContainerdClient, type ResponseOf } from './client';
import type { Container__Output } from './generated/types/containerd/services/containers/v1/Container';
import type { Process__Output } from './generated/types/containerd/v1/types/Process';
import type { Status__Output } from './generated/types/containerd/v1/types/Status';
import type { Timestamp__Output } from './generated/types/google/protobuf/Timestamp';
import { SNAPSHOTTER } from './content';
import { ctrdError, CtrdErrorCodes, isNotFound } from './errors';
import { execInTask } from './exec';
import { loadImage, pullImage, withLease } from './images';
import { followLog, readLogLines } from './json-log';
import { createContainerNetwork, type NetworkOptions } from './network';
import { watchTaskExits } from './exit-events';
import { createRegistryClient, type RegistryConfig } from './registry';
import { etcFiles, hostCapabilities, resolveDevices } from './host-files';
import { buildSpec, linuxResources, type ResolvedDevice } from './spec';
import { readStats } from './stats';
import { containerDir, logFile, prepareIo, startLogPump, type LogPump } from './task-io';

export interface ContainerdRuntimeOptions {
  /** containerd's gRPC socket, e.g. /run/containerd/containerd.sock. */
  socket: string;
  /** containerd namespace (Kanto: kanto-cm). */
  namespace: string;
  /** Our own state: FIFOs, /etc files, default log dir, CNI results. */
  stateDir: string;
  logger: Logger;
  /** Credentials per registry host[:port] (Kanto registry_configurations). */
  registries?: Record<string, RegistryConfig>;
  /** Registries reached over plain http (Kanto insecure_registries). */
  insecureRegistries?: string[];
  /** Bridge network settings (defaults: ledge-cm0, 10.217.0.0/16, plugins from /usr/lib/cni, /usr/libexec/cni or /opt/cni/bin). */
  network?: Partial<NetworkOptions>;
  /** OCI runtime shim (Kanto runc_runtime). */
  runtime?: string;
}

const SPEC_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
const RESOURCES_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,75}$/;

function signalNumber(name: string | undefined, id: string): number {
  const s = (name ?? 'SIGTERM').toUpperCase();
  const n = (osConstants.signals as Record<string, number>)[s.startsWith('SIG') ? s : `SIG${s}`];
  if (!n) throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: `unknown signal ${name}` });
  return n;
}

function toDate(ts: Timestamp__Output | null): Date | undefined {
  if (!ts || (!ts.seconds && !ts.nanos)) return undefined;
  return new Date(ts.seconds * 1000 + Math.floor(ts.nanos / 1e6));
}

const STATUS: Partial<Record<Status__Output, TaskStatus>> = { CREATED: 'created', RUNNING: 'running', PAUSED: 'paused', PAUSING: 'paused', STOPPED: 'stopped' };

export function createContainerdRuntime(options: ContainerdRuntimeOptions): ContainerRuntime {
  const logger = options.logger.child({ component: 'containerd-runtime' });
  const client = createContainerdClient({ socket: options.socket, namespace: options.namespace });
  const registry = createRegistryClient({ registries: options.registries, insecureRegistries: options.insecureRegistries, logger });
  const network = createContainerNetwork({ stateDir: options.stateDir, logger, network: options.network });
  const pumps = new Map<string, LogPump>();
  let closed = false;

  const exits = watchTaskExits({ client, namespace: options.namespace, logger });

  async function getContainer(id: string): Promise<Container__Output> {
    if (typeof id !== 'string' || !ID.test(id)) throw ctrdError(CtrdErrorCodes.CONTAINER_NOT_FOUND, { id });
    try {
      // Always set: `(gogoproto.nullable) = false` in containers.proto, an option the descriptor drops.
      return (await client.unary('containers', 'Get', { id })).container!;
    } catch (err) {
      if (isNotFound(err)) throw ctrdError(CtrdErrorCodes.CONTAINER_NOT_FOUND, { id }, err);
      throw err;
    }
  }

  async function getTask(id: string): Promise<Process__Output | undefined> {
    try {
      return (await client.unary('tasks', 'Get', { container_id: id, exec_id: '' })).process ?? undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  function toInfo(p: Process__Output): TaskInfo {
    const status = STATUS[p.status] ?? 'unknown';
    const info: TaskInfo = { status, pid: p.pid };
    if (status === 'stopped') {
      info.exitCode = p.exit_status;
      const at = toDate(p.exited_at);
      if (at) info.exitedAt = at;
    }
    return info;
  }

  /** Tasks.Wait: resolves with the exit of the task's init process. */
  function waitTask(id: string): Promise<{ exitCode: number; exitedAt: Date }> {
    return client.unary('tasks', 'Wait', { container_id: id, exec_id: '' }).then((r) => ({ exitCode: r.exit_status, exitedAt: toDate(r.exited_at) ?? new Date() }));
  }

  function openPump(id: string, config: ContainerConfig): void {
    pumps.get(id)?.close();
    const pump = startLogPump(options.stateDir, id, config, logger);
    if (pump) pumps.set(id, pump);
  }

  /** Exit of the task `pid`: closes the log pump opened for it (not a later one) and emits the exit.
   *  A Wait cut by a containerd restart is re-issued while the task is still there. */
  function watch(id: string, pid: number, wait: Promise<{ exitCode: number; exitedAt: Date }>, attempt = 0): void {
    const pump = pumps.get(id);
    wait.then(
      (r) => {
        if (pump && pumps.get(id) === pump) pumps.delete(id);
        pump?.finish();
        setTimeout(() => exits.emit({ id, pid, exitCode: r.exitCode, exitedAt: r.exitedAt }), 150);
      },
      (err: unknown) => {
        if (closed) return;
        logger.debug({ err, id }, 'task wait ended');
        if ((err as { kind?: string }).kind !== 'Unavailable' || attempt >= 60) return;
        setTimeout(() => {
          if (!closed) watch(id, pid, waitTask(id), attempt + 1);
        }, 1000).unref();
      },
    );
  }

  async function killAndWait(id: string, signal: number, all: boolean): Promise<{ exitCode: number; exitedAt: Date }> {
    const wait = waitTask(id);
    await client.unary('tasks', 'Kill', { container_id: id, exec_id: '', signal, all });
    return wait;
  }

  const runtime: ContainerRuntime = {
    async info() {
      const v = await client.unary('version', 'Version', {});
      return { engine: 'containerd', version: v.version, revision: v.revision, namespace: options.namespace };
    },

    pullImage: (ref, opts) => pullImage({ client, registry, logger }, ref, opts),

    async getImage(ref) {
      return (await loadImage(client, ref))?.info;
    },

    async createContainer(id, config) {
      if (typeof id !== 'string' || !ID.test(id)) throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: 'invalid container ID' });
      const image = await loadImage(client, config.imageRef);
      if (!image) throw ctrdError(CtrdErrorCodes.IMAGE_NOT_PRESENT, { ref: config.imageRef });
      try {
        await client.unary('containers', 'Get', { id });
        throw ctrdError(CtrdErrorCodes.ALREADY_EXISTS, { op: 'create container', detail: id });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const spec = buildSpec({
        id,
        namespace: options.namespace,
        config,
        image: image.config,
        devices: resolveDevices(id, config),
        ...(config.networkMode === 'host' ? {} : { netnsPath: network.netnsPath(id) }),
        etcFiles: etcFiles(options.stateDir, id, config, logger),
        ...(config.privileged ? { hostCapabilities: hostCapabilities(logger) } : {}),
      });
      await withLease(client, async (lease) => {
        await client.unary('snapshots', 'Prepare', { snapshotter: SNAPSHOTTER, key: id, parent: image.chainId, labels: {} }, { lease });
        try {
          await client.unary('containers', 'Create', {
            container: {
              id,
              labels: { 'ledge.io/name': config.name },
              image: image.info.ref,
              runtime: { name: options.runtime ?? 'io.containerd.runc.v2' },
              spec: { type_url: SPEC_TYPE, value: Buffer.from(JSON.stringify(spec)) },
              snapshotter: SNAPSHOTTER,
              snapshot_key: id,
              extensions: {},
            },
          }, { lease });
        } catch (err) {
          await client.unary('snapshots', 'Remove', { snapshotter: SNAPSHOTTER, key: id }).catch(() => undefined);
          throw err;
        }
      });
      logger.info({ id, image: image.info.ref }, 'container created');
    },

    async startContainer(id, config) {
      await getContainer(id);
      const existing = await getTask(id);
      if (existing) {
        if (existing.status !== 'STOPPED') throw ctrdError(CtrdErrorCodes.TASK_STATE, { id, detail: `task is ${existing.status.toLowerCase()}` });
        pumps.get(id)?.close();
        pumps.delete(id);
        await client.unary('tasks', 'Delete', { container_id: id });
      }
      await network.setup(id, config);
      const io = prepareIo(options.stateDir, id, config);
      const { mounts } = await client.unary('snapshots', 'Mounts', { snapshotter: SNAPSHOTTER, key: id });
      // The readers must exist before the shim opens the write ends during Create.
      openPump(id, config);
      let created: ResponseOf<'tasks', 'Create'>;
      try {
        created = await client.unary('tasks', 'Create', { container_id: id, rootfs: mounts, stdin: '', stdout: io.stdout, stderr: io.stderr, terminal: false });
      } catch (err) {
        pumps.get(id)?.close();
        pumps.delete(id);
        throw err;
      }
      try {
        // Wait before Start: a task that exits at once is still seen.
        watch(id, created.pid, waitTask(id));
        const started = await client.unary('tasks', 'Start', { container_id: id, exec_id: '' });
        logger.info({ id, taskPid: started.pid }, 'container started');
        return { pid: started.pid };
      } catch (err) {
        pumps.get(id)?.close();
        pumps.delete(id);
        await client.unary('tasks', 'Delete', { container_id: id }).catch(() => undefined);
        throw err;
      }
    },

    async stopContainer(id, stop: StopOptions) {
      await getContainer(id);
      const task = await getTask(id);
      if (!task) throw ctrdError(CtrdErrorCodes.TASK_NOT_FOUND, { id });
      const pid = task.pid;
      const done = (r: { exitCode: number; exitedAt: Date }): ExitEvent => ({ id, pid, exitCode: r.exitCode, exitedAt: r.exitedAt, oomKilled: exits.wasOomKilled(id) });
      if (task.status === 'STOPPED') return done({ exitCode: task.exit_status, exitedAt: toDate(task.exited_at) ?? new Date() });
      const sig = signalNumber(stop.signal, id);
      const wait = killAndWait(id, sig, false);
      // A frozen task cannot act on the signal.
      if (task.status === 'PAUSED') await client.unary('tasks', 'Resume', { container_id: id }).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.max(0, stop.timeoutMs))));
      try {
        const first = await Promise.race([wait, timeout]);
        if (first) return done(first);
        if (stop.force === false) throw ctrdError(CtrdErrorCodes.STOP_TIMEOUT, { id, timeoutMs: stop.timeoutMs });
        logger.info({ id, timeoutMs: stop.timeoutMs }, 'stop timeout; killing');
        return done(await killAndWait(id, 9, true));
      } finally {
        clearTimeout(timer);
      }
    },

    async pauseContainer(id) {
      await getContainer(id);
      await client.unary('tasks', 'Pause', { container_id: id });
    },

    async resumeContainer(id) {
      await getContainer(id);
      await client.unary('tasks', 'Resume', { container_id: id });
    },

    async updateResources(id, resources: Resources) {
      const container = await getContainer(id);
      // Never null: containerd refuses a container without one ("container.Spec must be set").
      const spec = JSON.parse(Buffer.from(container.spec!.value).toString()) as { linux?: { resources?: Record<string, unknown>; devices?: ResolvedDevice[] } };
      const linux = spec.linux ?? (spec.linux = {});
      const memory = (linuxResources(resources, [], false).memory as Record<string, number> | undefined) ?? {};
      linux.resources = { ...linux.resources, memory };
      const task = await getTask(id);
      if (task && (task.status === 'RUNNING' || task.status === 'PAUSED'))
        await client.unary('tasks', 'Update', { container_id: id, resources: { type_url: RESOURCES_TYPE, value: Buffer.from(JSON.stringify({ memory })) }, annotations: {} });
      container.spec = { type_url: SPEC_TYPE, value: Buffer.from(JSON.stringify(spec)) };
      await client.unary('containers', 'Update', { container, update_mask: { paths: ['spec'] } });
    },

    async taskInfo(id) {
      await getContainer(id);
      const task = await getTask(id);
      return task ? toInfo(task) : undefined;
    },

    async removeContainer(id, { force }) {
      await getContainer(id);
      const task = await getTask(id);
      if (task) {
        if (task.status !== 'STOPPED') {
          if (!force) throw ctrdError(CtrdErrorCodes.TASK_STATE, { id, detail: `task is ${task.status.toLowerCase()}; stop it or use force` });
          const wait = killAndWait(id, 9, true);
          if (task.status === 'PAUSED') await client.unary('tasks', 'Resume', { container_id: id }).catch(() => undefined);
          await wait;
        }
        await client.unary('tasks', 'Delete', { container_id: id }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
      pumps.get(id)?.close();
      pumps.delete(id);
      await network.teardown(id);
      await client.unary('containers', 'Delete', { id });
      await client.unary('snapshots', 'Remove', { snapshotter: SNAPSHOTTER, key: id }).catch((err: unknown) => {
        if (!isNotFound(err)) logger.warn({ err, id }, 'snapshot remove failed');
      });
      rmSync(containerDir(options.stateDir, id), { recursive: true, force: true });
      exits.forget(id);
      logger.info({ id }, 'container removed');
    },

    async listContainers() {
      const res = await client.unary('containers', 'List', { filters: [] });
      return res.containers.map((c) => c.id);
    },

    async attach(id, config) {
      await getContainer(id);
      const task = await getTask(id);
      if (!task) return undefined;
      if ((task.status === 'RUNNING' || task.status === 'PAUSED') && !pumps.has(id)) {
        openPump(id, config);
        watch(id, task.pid, waitTask(id));
      }
      return toInfo(task);
    },

    async stats(id) {
      await getContainer(id);
      const task = await getTask(id);
      if (!task) throw ctrdError(CtrdErrorCodes.TASK_NOT_FOUND, { id });
      return readStats(`/${options.namespace}/${id}`, task.status === 'STOPPED' ? 0 : task.pid);
    },

    async exec(id, argv, opts) {
      const container = await getContainer(id);
      const task = await getTask(id);
      if (!task) throw ctrdError(CtrdErrorCodes.TASK_NOT_FOUND, { id });
      if (task.status !== 'RUNNING') throw ctrdError(CtrdErrorCodes.TASK_STATE, { id, detail: `task is ${task.status.toLowerCase()}` });
      return execInTask({ client, stateDir: options.stateDir, logger }, container, argv, opts);
    },

    async address(id) {
      const container = await getContainer(id);
      const task = await getTask(id);
      if (task?.status !== 'RUNNING' && task?.status !== 'PAUSED') return undefined;
      // The spec says which network the task lives in: none of its own is the host's.
      const spec = JSON.parse(Buffer.from(container.spec?.value ?? '{}').toString()) as { linux?: { namespaces?: { type: string }[] } };
      const ownNetwork = spec.linux?.namespaces?.some((n) => n.type === 'network') ?? false;
      return ownNetwork ? network.address(id) : '127.0.0.1';
    },

    logs(id, config, opts) {
      const file = logFile(options.stateDir, id, config);
      return (async function* (): AsyncGenerator<LogLine> {
        await getContainer(id);
        yield* readLogLines(file, config.log.maxFiles, opts.tail);
        if (opts.follow) yield* followLog(file, opts.signal);
      })();
    },

    onExit(listener) {
      return exits.onExit(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      exits.close();
      // Tasks keep running in their shims; only our FIFO readers go (attach() reopens them).
      for (const p of pumps.values()) p.close();
      pumps.clear();
      client.close();
    },
  };
  return runtime;
}
