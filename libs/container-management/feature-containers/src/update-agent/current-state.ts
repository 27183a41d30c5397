// The containers domain's current state (Kanto containerm/updateagent update_manager.go Get/toInventory and
// from_containers.go): one APPLICATION node for the agent, carrying its domain as the parameter `domain`,
// associated to one CONTAINER node per container, `<domain>:<name>`, whose version is the image's tag or
// digest. Parameters hold the settings in the desired state's keys, so a node can be copied back into a
// desired state; values equal to the defaults are left out unless the report is verbose. Ledge adds the
// health check (`health.*` keys) and, while a container has one, its `health`. Pure.
import { defaultHealthTiming, defaultLogConfig, formatDuration, formatSize, type ContainerConfig, type HealthCheck } from '@ledge/container-management/model-containers';
import type { Inventory, KeyValuePair, SoftwareNode } from '@ledge/shared/model-update';
import type { ContainerRecord } from '../store';
import { formatDevice, formatMount, formatPort } from './kanto-forms';

export const AGENT_NAME = 'Ledge Containers Update Agent';

/** Kanto's findContainerVersion: the digest after '@', else the tag after ':' of the last path part, else n/a. */
export function containerVersion(imageRef: string): string {
  const last = imageRef.slice(imageRef.lastIndexOf('/') + 1);
  for (const sep of ['@', ':']) {
    const i = last.indexOf(sep);
    if (i >= 0 && i < last.length - 1) return last.slice(i + 1);
  }
  return 'n/a';
}

/** Go's time.Duration String() of whole seconds: 0s, 30s, 3m0s, 1h0m0s (what Kanto reports). */
export function goDuration(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** Kanto's State.Status names. */
const STATUS_NAMES: Readonly<Record<string, string>> = {
  CREATING: 'Creating', CREATED: 'Created', RUNNING: 'Running', STOPPED: 'Stopped', PAUSED: 'Paused', EXITED: 'Exited', DEAD: 'Dead', UNKNOWN: 'Unknown',
};

function settings(c: ContainerConfig, verbose: boolean): KeyValuePair[] {
  const out: KeyValuePair[] = [];
  const add = (key: string, value: string | number | boolean, show = true) => void (verbose || show ? out.push({ key, value: String(value) }) : undefined);
  add('image', c.imageRef);
  add('domainName', c.domainName, c.domainName !== `${c.name}-domain`);
  add('hostName', c.hostName, c.hostName !== `${c.name}-host`);
  add('terminal', c.tty, c.tty);
  add('interactive', c.openStdin, c.openStdin);
  add('privileged', c.privileged, c.privileged);
  const rp = c.restartPolicy;
  add('restartPolicy', rp.type, rp.type !== 'unless-stopped');
  add('restartMaxRetries', rp.maxRetryCount ?? 0, (rp.maxRetryCount ?? 0) !== 0);
  add('restartTimeout', goDuration(rp.retryTimeoutSeconds ?? 0), (rp.retryTimeoutSeconds ?? 0) !== 0);
  for (const d of c.devices) add('device', formatDevice(d));
  for (const p of c.portMappings) add('port', formatPort(p));
  add('network', c.networkMode, c.networkMode !== 'bridge');
  for (const h of c.extraHosts) add('host', h);
  const file = c.log.type === 'json-file';
  add('logDriver', c.log.type, c.log.type !== defaultLogConfig.type);
  if (file) add('logMaxFiles', c.log.maxFiles, c.log.maxFiles !== defaultLogConfig.maxFiles);
  if (file) add('logMaxSize', formatSize(c.log.maxSizeBytes), c.log.maxSizeBytes !== defaultLogConfig.maxSizeBytes);
  if (file && c.log.rootDir) add('logPath', c.log.rootDir);
  add('logMode', c.log.mode, c.log.mode !== defaultLogConfig.mode);
  if (c.log.mode === 'non-blocking') add('logMaxBufferSize', formatSize(c.log.maxBufferSizeBytes), c.log.maxBufferSizeBytes !== defaultLogConfig.maxBufferSizeBytes);
  if (c.resources.memoryBytes !== undefined) add('memory', formatSize(c.resources.memoryBytes));
  if (c.resources.memoryReservationBytes !== undefined) add('memoryReservation', formatSize(c.resources.memoryReservationBytes));
  if (c.resources.memorySwapBytes !== undefined) add('memorySwap', formatSize(c.resources.memorySwapBytes));
  for (const m of c.mountPoints) add('mount', formatMount(m));
  for (const e of c.env) add('env', e);
  for (const a of c.cmd) add('cmd', a);
  return out;
}

/** A health check in the desired state's `health.*` keys (Ledge's), timing only where it is not the default. */
function healthParameters(h: HealthCheck, verbose: boolean): KeyValuePair[] {
  const out: KeyValuePair[] = [];
  // A check from the desired state runs `/bin/sh -c <cmd>`; one given as an argv elsewhere is shown joined.
  if (h.kind === 'exec') out.push({ key: 'health.cmd', value: h.command[0] === '/bin/sh' && h.command[1] === '-c' && h.command.length === 3 ? h.command[2]! : h.command.join(' ') });
  if (h.kind === 'http') out.push({ key: 'health.http', value: `${h.port}${h.path}` });
  if (h.kind === 'tcp') out.push({ key: 'health.tcp', value: String(h.port) });
  const timing = [['health.interval', h.intervalMs, defaultHealthTiming.intervalMs], ['health.timeout', h.timeoutMs, defaultHealthTiming.timeoutMs], ['health.startPeriod', h.startPeriodMs, defaultHealthTiming.startPeriodMs]] as const;
  for (const [key, ms, def] of timing) if (verbose || ms !== def) out.push({ key, value: formatDuration(ms) });
  if (verbose || h.retries !== defaultHealthTiming.retries) out.push({ key: 'health.retries', value: String(h.retries) });
  return out;
}

/** One container as a CONTAINER node; `id` is the bare name (toInventory prefixes the domain). */
export function containerNode(r: ContainerRecord, verbose: boolean): SoftwareNode {
  const running = r.state.status === 'RUNNING';
  const params = [...settings(r.config, verbose), ...(r.config.healthCheck ? healthParameters(r.config.healthCheck, verbose) : [])];
  const add = (key: string, value: string, show: boolean) => void (verbose || show ? params.push({ key, value }) : undefined);
  add('status', STATUS_NAMES[r.state.status] ?? 'Unknown', true);
  if (r.config.healthCheck && r.health) add('health', r.health.status, true);
  add('finishedAt', r.state.finishedAt, r.state.finishedAt !== '' && !running);
  add('exitCode', String(r.state.exitCode), r.state.exitCode !== 0 && !running);
  add('created', r.createdAt, true);
  add('restartCount', String(r.restartCount), r.restartCount !== 0);
  add('manuallyStopped', String(r.userStopped), r.userStopped && !running);
  return { id: r.config.name, version: containerVersion(r.config.imageRef), parameters: params, type: 'CONTAINER' };
}

/** The domain's inventory: the agent's node, then the containers sorted by name, each associated to it. */
export function currentState(domain: string, records: readonly ContainerRecord[], options: { verbose: boolean; version: string }): Inventory {
  const agent: SoftwareNode = { id: `${domain}-update-agent`, version: options.version, name: AGENT_NAME, parameters: [{ key: 'domain', value: domain }], type: 'APPLICATION' };
  const containers = [...records]
    .sort((a, b) => a.config.name.localeCompare(b.config.name))
    .map((r) => {
      const node = containerNode(r, options.verbose);
      return { ...node, id: `${domain}:${node.id}` };
    });
  return { softwareNodes: [agent, ...containers], associations: containers.map((c) => ({ sourceId: agent.id, targetId: c.id })) };
}
