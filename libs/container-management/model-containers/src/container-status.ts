// The `status` property of a Container:<id> feature (§3.4) with Ditto upper-case enums.
import type { ContainerConfig } from './container';
import { dittoHealthCheckOf, type ContainerHealth } from './health-check';
import { toDittoEnum } from './reader';
import type { ExitEvent, TaskInfo } from './runtime';
import { formatSize } from './sizes';

export type ContainerStateStatus = 'CREATING' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'EXITED' | 'DEAD' | 'UNKNOWN';

export interface ContainerState {
  status: ContainerStateStatus;
  pid: number;
  /** RFC 3339 with ns, '' when never. */
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  error: string;
  oomKilled: boolean;
}

/** Go's RFC3339Nano with 9 fraction digits, as Kanto writes: 2024-06-01T10:00:00.000000000Z. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function initialState(): ContainerState {
  return { status: 'CREATED', pid: 0, startedAt: '', finishedAt: '', exitCode: 0, error: '', oomKilled: false };
}

export function runningState(prev: ContainerState, pid: number, at: Date): ContainerState {
  return { ...prev, status: 'RUNNING', pid, startedAt: formatTimestamp(at), exitCode: 0, error: '', oomKilled: false };
}

/** After an exit: STOPPED when the user stopped it, EXITED when it ended on its own. */
export function exitedState(prev: ContainerState, e: Pick<ExitEvent, 'exitCode' | 'exitedAt' | 'oomKilled'>, byUser: boolean): ContainerState {
  return {
    ...prev,
    status: byUser ? 'STOPPED' : 'EXITED',
    pid: 0,
    finishedAt: formatTimestamp(e.exitedAt),
    exitCode: e.exitCode,
    oomKilled: e.oomKilled,
    error: e.oomKilled ? 'OOM killed' : prev.error,
  };
}

/** The state the runtime reports after a daemon restart (no task → the persisted state stays, running ones marked). */
export function stateFromTask(prev: ContainerState, task: TaskInfo | undefined): ContainerState {
  if (task === undefined) return prev.status === 'RUNNING' || prev.status === 'PAUSED' ? { ...prev, status: 'EXITED', pid: 0 } : prev;
  switch (task.status) {
    case 'running':
      return { ...prev, status: 'RUNNING', pid: task.pid };
    case 'paused':
      return { ...prev, status: 'PAUSED', pid: task.pid };
    case 'created':
      return { ...prev, status: 'CREATED', pid: task.pid };
    case 'stopped':
      return {
        ...prev,
        status: prev.status === 'STOPPED' ? 'STOPPED' : 'EXITED',
        pid: 0,
        ...(task.exitCode !== undefined ? { exitCode: task.exitCode } : {}),
        ...(task.exitedAt ? { finishedAt: formatTimestamp(task.exitedAt) } : {}),
      };
    default:
      return { ...prev, status: 'UNKNOWN' };
  }
}

/** The `config` part of the status in the Ditto model's spelling; empty values are left out. */
export function dittoConfigOf(c: ContainerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.domainName) out['domainName'] = c.domainName;
  if (c.hostName) out['hostName'] = c.hostName;
  if (c.env.length) out['env'] = c.env;
  if (c.cmd.length) out['cmd'] = c.cmd;
  if (c.privileged) out['privileged'] = true;
  if (c.extraHosts.length) out['extraHosts'] = c.extraHosts;
  if (c.extraCapabilities.length) out['extraCapabilities'] = c.extraCapabilities;
  out['networkMode'] = toDittoEnum(c.networkMode);
  if (c.openStdin) out['openStdin'] = true;
  if (c.tty) out['tty'] = true;
  if (c.mountPoints.length) out['mountPoints'] = c.mountPoints.map((m) => ({ source: m.source, destination: m.destination, propagationMode: toDittoEnum(m.propagationMode) }));
  if (c.devices.length) out['devices'] = c.devices;
  if (c.portMappings.length) out['portMappings'] = c.portMappings;
  const rp: Record<string, unknown> = { type: toDittoEnum(c.restartPolicy.type) };
  if (c.restartPolicy.type === 'on-failure') {
    if (c.restartPolicy.maxRetryCount !== undefined) rp['maxRetryCount'] = c.restartPolicy.maxRetryCount;
    if (c.restartPolicy.retryTimeoutSeconds !== undefined) rp['retryTimeout'] = c.restartPolicy.retryTimeoutSeconds;
  }
  out['restartPolicy'] = rp;
  const res: Record<string, string> = {};
  if (c.resources.memoryBytes !== undefined) res['memory'] = formatSize(c.resources.memoryBytes);
  if (c.resources.memoryReservationBytes !== undefined) res['memoryReservation'] = formatSize(c.resources.memoryReservationBytes);
  if (c.resources.memorySwapBytes !== undefined) res['memorySwap'] = formatSize(c.resources.memorySwapBytes);
  if (Object.keys(res).length) out['resources'] = res;
  out['log'] = {
    type: toDittoEnum(c.log.type),
    ...(c.log.type === 'json-file' ? { maxFiles: c.log.maxFiles, maxSize: formatSize(c.log.maxSizeBytes) } : {}),
    ...(c.log.rootDir ? { rootDir: c.log.rootDir } : {}),
    mode: toDittoEnum(c.log.mode),
    ...(c.log.mode === 'non-blocking' ? { maxBufferSize: formatSize(c.log.maxBufferSizeBytes) } : {}),
  };
  if (c.healthCheck) out['healthCheck'] = dittoHealthCheckOf(c.healthCheck);
  return out;
}

export interface ContainerStatusInput {
  config: ContainerConfig;
  /** RFC 3339 ns string (formatTimestamp). */
  createdAt: string;
  state: ContainerState;
  /** Present once a container with a health check has run (issue 18). */
  health?: ContainerHealth;
}

/** Kanto's fields exactly; `health` (a Ledge addition) only when a check is configured and has a state. */
export function buildContainerStatus(c: ContainerStatusInput): Record<string, unknown> {
  const status: Record<string, unknown> = { name: c.config.name, imageRef: c.config.imageRef, createdAt: c.createdAt, config: dittoConfigOf(c.config), state: { ...c.state } };
  if (c.config.healthCheck && c.health) status['health'] = { ...c.health };
  return status;
}
