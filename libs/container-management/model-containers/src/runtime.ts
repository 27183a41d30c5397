// The container runtime contract: what container management needs from a container engine.
// Implemented over containerd's gRPC API by @ledge/container-management/data-access-containerd; a contract suite
// in that lib's src/testing runs against every implementation. Methods throw LedgeError subclasses
// (@ledge/shared/util): NotFoundError for unknown IDs/images, AlreadyExistsError, FailedPreconditionError for
// wrong-state calls (start of a running task...), UnavailableError when the engine cannot be reached.

import type { ContainerConfig, Resources } from './container';

export type TaskStatus = 'created' | 'running' | 'paused' | 'stopped' | 'unknown';

export interface PullProgress {
  ref: string;
  /** Bytes of all blobs of the selected platform (known once the manifest is read). */
  totalBytes: number;
  /** Bytes already in the content store (resumed) or fetched so far. */
  doneBytes: number;
  /** Per-layer view for progress bars. */
  layers: { digest: string; size: number; done: number }[];
}

export interface ImageInfo {
  /** Normalised reference, e.g. docker.io/library/busybox:latest or 127.0.0.1:5000/test/app:1. */
  ref: string;
  /** Digest of the manifest selected for this platform. */
  digest: string;
  /** Total compressed size of the selected manifest's layers. */
  size: number;
}

export interface PullOptions {
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  /** OCI platform string; default the host's (linux/arm64, linux/arm/v7, linux/amd64). */
  platform?: string;
}

export interface TaskInfo {
  status: TaskStatus;
  pid: number;
  /** Present once the task exited. */
  exitCode?: number;
  exitedAt?: Date;
}

export interface ExitEvent {
  id: string;
  pid: number;
  exitCode: number;
  exitedAt: Date;
  /** The kernel's OOM killer ended the task (containerd /tasks/oom seen for it, or memory.events oom_kill grew). */
  oomKilled: boolean;
}

export interface StopOptions {
  /** Signal name, default SIGTERM. */
  signal?: string;
  /** Grace period before SIGKILL when force is set, in ms. */
  timeoutMs: number;
  /** SIGKILL after the timeout (default true). When false and the task outlives the timeout, a FailedPreconditionError. */
  force?: boolean;
}

export interface ContainerStats {
  /** Cumulative CPU time in ns (cgroup cpu.stat usage_usec * 1000). */
  cpuNanos: number;
  memoryUsedBytes: number;
  /** The limit, or the host's total memory when unlimited. */
  memoryTotalBytes: number;
  ioReadBytes: number;
  ioWriteBytes: number;
  netReadBytes: number;
  netWriteBytes: number;
  pids: number;
  /** When the sample was taken (ms since epoch). */
  timestamp: number;
}

export interface LogOptions {
  /** Last N lines; -1 or undefined = all. */
  tail?: number;
  /** Keep streaming new lines until the signal aborts. */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with ns, as docker's json-file. */
  time: string;
  log: string;
}

export interface ExecOptions {
  /** The process is killed once it runs this long, and exec rejects (a FailedPrecondition error). */
  timeoutMs: number;
}

/** How much of an exec's output is kept: a health probe's message, not a log. */
export const EXEC_OUTPUT_LIMIT = 4096;

export interface ExecResult {
  exitCode: number;
  /** The first EXEC_OUTPUT_LIMIT bytes of stdout and stderr together, as UTF-8. */
  output: string;
}

export interface RuntimeInfo {
  engine: 'containerd';
  version: string;
  revision: string;
  namespace: string;
}

export interface ContainerRuntime {
  info(): Promise<RuntimeInfo>;
  /** Fetch (resuming what the content store has) and unpack the image; idempotent. */
  pullImage(ref: string, options?: PullOptions): Promise<ImageInfo>;
  /** The image if it is present and unpacked, else undefined. */
  getImage(ref: string): Promise<ImageInfo | undefined>;
  /** Prepare the rootfs snapshot, build the OCI runtime spec and create the engine's container record. */
  createContainer(id: string, config: ContainerConfig): Promise<void>;
  /**
   * Create the task (network set up, stdio wired to the json-file log, exit wait registered before start)
   * and start it. Returns the pid. A stopped task left from a previous run is deleted first.
   */
  startContainer(id: string, config: ContainerConfig): Promise<{ pid: number }>;
  /** Signal, wait up to timeoutMs, then SIGKILL when force. Resolves with the exit. */
  stopContainer(id: string, options: StopOptions): Promise<ExitEvent>;
  pauseContainer(id: string): Promise<void>;
  resumeContainer(id: string): Promise<void>;
  /** Apply new cgroup limits to a running task (and to the stored spec for the next start). */
  updateResources(id: string, resources: Resources): Promise<void>;
  /** Task state, or undefined when the container has no task. */
  taskInfo(id: string): Promise<TaskInfo | undefined>;
  /** Remove task (must not be running unless force: then killed), container record, snapshot, network. */
  removeContainer(id: string, options: { force: boolean }): Promise<void>;
  /** IDs of the engine's containers in the namespace. */
  listContainers(): Promise<string[]>;
  /**
   * Re-attach after a daemon restart: reconnect stdio/log forwarding of a running task and resume
   * exit watching. No-op when the task is not running.
   */
  attach(id: string, config: ContainerConfig): Promise<TaskInfo | undefined>;
  stats(id: string): Promise<ContainerStats>;
  /**
   * Runs `argv` inside the running task (the task's user, env, cwd and capabilities; no TTY, stdin
   * /dev/null) and resolves with its exit code and output. NotFoundError without a task,
   * FailedPreconditionError when the task is not running or the process outlived timeoutMs (then killed).
   */
  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
  /**
   * The IPv4 address at which the host reaches the running task's ports: 127.0.0.1 for host networking,
   * its bridge address otherwise. Undefined when the container has no running task.
   */
  address(id: string): Promise<string | undefined>;
  logs(id: string, config: ContainerConfig, options: LogOptions): AsyncIterable<LogLine>;
  /** Every task exit in the namespace (including ones the caller did not stop). Returns an unsubscribe. */
  onExit(listener: (e: ExitEvent) => void): () => void;
  close(): Promise<void>;
}
