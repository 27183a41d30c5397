// Ditto ContainerFactory / Container:<id> operation values (§3.3, §3.4) → the container model.
// Enums arrive upper-case (`ON_FAILURE`); docker lower-case spellings are accepted too.
import { isPlainObject } from '@ledge/shared/util-parse';
import type { ContainerConfig, DeviceMapping, LogConfig, MountPoint, NetworkMode, PortMapping, PropagationMode, Resources, RestartPolicy, RestartPolicyType } from './container';
import { DEFAULT_MAX_RETRY_COUNT, DEFAULT_RETRY_TIMEOUT_SECONDS, defaultContainerConfig, isValidContainerName, nameFromImageRef } from './defaults';
import { checkRestartNeedsHealth, readHealthCheck } from './health-check-parse';
import { FieldReader } from './reader';
import type { StopOptions } from './runtime';
import { MIN_MEMORY_BYTES, parseSize } from './sizes';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export const RESTART_POLICY_TYPES: readonly RestartPolicyType[] = ['no', 'always', 'on-failure', 'unless-stopped', 'on-unhealthy'];
export const NETWORK_MODES: readonly NetworkMode[] = ['bridge', 'host'];
export const PROPAGATION_MODES: readonly PropagationMode[] = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

export interface CreateRequest {
  config: ContainerConfig;
  /** Whether the name was given (else derived from the image; the manager makes it unique). */
  named: boolean;
  start: boolean;
}

function done<T>(r: FieldReader, value: T): Parsed<T> {
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value };
}

/** `create` (withConfig false) and `createWithConfig` values. */
export function parseCreateValue(value: unknown, withConfig: boolean): Parsed<CreateRequest> {
  const r = new FieldReader();
  const v = r.object(value, 'value');
  if (v === undefined) {
    if (r.problems.length === 0) r.problem('value', 'must be an object with imageRef');
    return { ok: false, problems: r.problems };
  }
  const imageRef = r.string(v['imageRef'], 'imageRef');
  if (imageRef === undefined || imageRef.trim() === '') {
    if (r.problems.length === 0) r.problem('imageRef', 'is required');
    return { ok: false, problems: r.problems };
  }
  const start = r.boolean(v['start'], 'start') ?? false;
  const givenName = withConfig ? r.string(v['name'], 'name') : undefined;
  const named = givenName !== undefined && givenName !== '';
  if (named && !isValidContainerName(givenName)) r.problem('name', `invalid container name '${givenName}'`);
  const name = named ? givenName : nameFromImageRef(imageRef);
  const config = defaultContainerConfig(name, imageRef.trim());
  if (withConfig) applyDittoConfig(r, config, r.object(v['config'], 'config') ?? {});
  return done(r, { config, named, start });
}

function applyDittoConfig(r: FieldReader, c: ContainerConfig, cfg: Record<string, unknown>): void {
  c.domainName = r.string(cfg['domainName'], 'config.domainName') || c.domainName;
  c.hostName = r.string(cfg['hostName'], 'config.hostName') || c.hostName;
  c.env = r.strings(cfg['env'], 'config.env') ?? c.env;
  c.cmd = r.strings(cfg['cmd'], 'config.cmd') ?? c.cmd;
  c.privileged = r.boolean(cfg['privileged'], 'config.privileged') ?? c.privileged;
  c.extraHosts = r.strings(cfg['extraHosts'], 'config.extraHosts') ?? c.extraHosts;
  c.extraCapabilities = r.strings(cfg['extraCapabilities'], 'config.extraCapabilities') ?? c.extraCapabilities;
  c.networkMode = r.enumOf(cfg['networkMode'], 'config.networkMode', NETWORK_MODES) ?? c.networkMode;
  c.openStdin = r.boolean(cfg['openStdin'], 'config.openStdin') ?? c.openStdin;
  c.tty = r.boolean(cfg['tty'], 'config.tty') ?? c.tty;
  const mounts = r.array(cfg['mountPoints'], 'config.mountPoints');
  if (mounts) c.mountPoints = mounts.map((m, i) => mountPoint(r, m, `config.mountPoints[${i}]`)).filter((m): m is MountPoint => m !== undefined);
  const devices = r.array(cfg['devices'], 'config.devices');
  if (devices) c.devices = devices.map((d, i) => device(r, d, `config.devices[${i}]`)).filter((d): d is DeviceMapping => d !== undefined);
  const ports = r.array(cfg['portMappings'], 'config.portMappings');
  if (ports) c.portMappings = ports.map((p, i) => portMapping(r, p, `config.portMappings[${i}]`)).filter((p): p is PortMapping => p !== undefined);
  const rp = r.object(cfg['restartPolicy'], 'config.restartPolicy');
  if (rp) c.restartPolicy = restartPolicy(r, rp, 'config.restartPolicy') ?? c.restartPolicy;
  const res = r.object(cfg['resources'], 'config.resources');
  if (res) c.resources = resources(r, res, 'config.resources');
  const log = r.object(cfg['log'], 'config.log');
  if (log) c.log = logConfig(r, log, 'config.log', c.log);
  if (cfg['decryption'] !== undefined) r.object(cfg['decryption'], 'config.decryption');
  // Set only when given: a config without a check must equal one stored before checks existed.
  const health = readHealthCheck(r, cfg['healthCheck'], 'config.healthCheck');
  if (health) c.healthCheck = health;
  checkRestartNeedsHealth(r, c, 'config.restartPolicy.type', 'config.healthCheck');
}

function mountPoint(r: FieldReader, v: unknown, path: string): MountPoint | undefined {
  const o = r.object(v, path);
  if (!o) return undefined;
  const source = r.string(o['source'], `${path}.source`);
  const destination = r.string(o['destination'], `${path}.destination`);
  if (!source || !destination) {
    r.problem(path, 'source and destination are required');
    return undefined;
  }
  return { source, destination, propagationMode: r.enumOf(o['propagationMode'], `${path}.propagationMode`, PROPAGATION_MODES) ?? 'rprivate' };
}

function device(r: FieldReader, v: unknown, path: string): DeviceMapping | undefined {
  const o = r.object(v, path);
  if (!o) return undefined;
  const pathOnHost = r.string(o['pathOnHost'], `${path}.pathOnHost`);
  const pathInContainer = r.string(o['pathInContainer'], `${path}.pathInContainer`);
  const perms = r.string(o['cgroupPermissions'], `${path}.cgroupPermissions`) || 'rwm';
  if (!/^[rwm]{1,3}$/.test(perms)) r.problem(`${path}.cgroupPermissions`, 'must be a combination of r, w, m');
  if (!pathOnHost || !pathInContainer) {
    r.problem(path, 'pathOnHost and pathInContainer are required');
    return undefined;
  }
  return { pathOnHost, pathInContainer, cgroupPermissions: perms };
}

function portMapping(r: FieldReader, v: unknown, path: string): PortMapping | undefined {
  const o = r.object(v, path);
  if (!o) return undefined;
  const protoRaw = (r.string(o['proto'], `${path}.proto`) || 'tcp').toLowerCase();
  if (protoRaw !== 'tcp' && protoRaw !== 'udp') r.problem(`${path}.proto`, `unsupported protocol '${protoRaw}'`);
  const containerPort = r.integer(o['containerPort'], `${path}.containerPort`, 1, 65535);
  const hostPort = r.integer(o['hostPort'], `${path}.hostPort`, 1, 65535);
  const hostPortEnd = r.integer(o['hostPortEnd'], `${path}.hostPortEnd`, 0, 65535);
  if (containerPort === undefined || hostPort === undefined) {
    r.problem(path, 'containerPort and hostPort are required');
    return undefined;
  }
  if (hostPortEnd !== undefined && hostPortEnd !== 0 && hostPortEnd < hostPort) r.problem(`${path}.hostPortEnd`, 'must not be below hostPort');
  return {
    proto: protoRaw === 'udp' ? 'udp' : 'tcp',
    containerPort,
    hostIP: r.string(o['hostIP'], `${path}.hostIP`) || '0.0.0.0',
    hostPort,
    ...(hostPortEnd ? { hostPortEnd } : {}),
  };
}

/** Ditto restartPolicy `{type, maxRetryCount, retryTimeout}` (seconds). */
export function restartPolicy(r: FieldReader, o: Record<string, unknown>, path: string): RestartPolicy | undefined {
  const type = r.enumOf(o['type'], `${path}.type`, RESTART_POLICY_TYPES);
  if (type === undefined) {
    if (o['type'] === undefined || o['type'] === '') r.problem(`${path}.type`, 'is required');
    return undefined;
  }
  if (type !== 'on-failure') return { type };
  return {
    type,
    maxRetryCount: r.integer(o['maxRetryCount'], `${path}.maxRetryCount`, 0) ?? DEFAULT_MAX_RETRY_COUNT,
    retryTimeoutSeconds: r.integer(o['retryTimeout'], `${path}.retryTimeout`, 0) ?? DEFAULT_RETRY_TIMEOUT_SECONDS,
  };
}

function size(r: FieldReader, v: unknown, path: string, min: number | undefined, allowUnlimited: boolean): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = parseSize(v);
  if (n === undefined) r.problem(path, `invalid size '${String(v)}' (e.g. 200M)`);
  else if (n === -1 && !allowUnlimited) r.problem(path, 'must not be -1');
  else if (n !== -1 && min !== undefined && n < min) r.problem(path, `must be at least 3M`);
  else return n;
  return undefined;
}

/** Ditto resources `{memory, memoryReservation, memorySwap}` ("200M", min 3M, swap -1 = unlimited). */
export function resources(r: FieldReader, o: Record<string, unknown>, path: string): Resources {
  const out: Resources = {};
  const memory = size(r, o['memory'], `${path}.memory`, MIN_MEMORY_BYTES, false);
  const reservation = size(r, o['memoryReservation'], `${path}.memoryReservation`, undefined, false);
  const swap = size(r, o['memorySwap'], `${path}.memorySwap`, undefined, true);
  if (memory !== undefined) out.memoryBytes = memory;
  if (reservation !== undefined) out.memoryReservationBytes = reservation;
  if (swap !== undefined) out.memorySwapBytes = swap;
  if (memory !== undefined && reservation !== undefined && reservation > memory) r.problem(`${path}.memoryReservation`, 'must not exceed memory');
  if (swap !== undefined && swap !== -1 && (memory === undefined || swap < memory)) r.problem(`${path}.memorySwap`, 'needs memory and must be at least memory');
  return out;
}

function logConfig(r: FieldReader, o: Record<string, unknown>, path: string, base: LogConfig): LogConfig {
  const out: LogConfig = { ...base };
  out.type = r.enumOf(o['type'], `${path}.type`, ['json-file', 'none'] as const) ?? out.type;
  out.maxFiles = r.integer(o['maxFiles'], `${path}.maxFiles`, 1) ?? out.maxFiles;
  out.maxSizeBytes = size(r, o['maxSize'], `${path}.maxSize`, 1, false) ?? out.maxSizeBytes;
  const root = r.string(o['rootDir'], `${path}.rootDir`);
  if (root) out.rootDir = root;
  out.mode = r.enumOf(o['mode'], `${path}.mode`, ['blocking', 'non-blocking'] as const) ?? out.mode;
  out.maxBufferSizeBytes = size(r, o['maxBufferSize'], `${path}.maxBufferSize`, 1, false) ?? out.maxBufferSizeBytes;
  return out;
}

export interface UpdateRequest {
  restartPolicy?: RestartPolicy;
  resources?: Resources;
}

/** Container `update` value `{restartPolicy?, resources?}` (§3.4; `retryTimeout` in seconds). */
export function parseUpdateValue(value: unknown): Parsed<UpdateRequest> {
  const r = new FieldReader();
  const v = r.object(value, 'value');
  if (v === undefined) {
    if (r.problems.length === 0) r.problem('value', 'must be an object');
    return { ok: false, problems: r.problems };
  }
  const out: UpdateRequest = {};
  const rp = r.object(v['restartPolicy'], 'restartPolicy');
  if (rp) {
    const p = restartPolicy(r, rp, 'restartPolicy');
    if (p) out.restartPolicy = p;
  }
  const res = r.object(v['resources'], 'resources');
  if (res) out.resources = resources(r, res, 'resources');
  return done(r, out);
}

const SIGNAL_RE = /^(SIG)?[A-Z][A-Z0-9+-]*$|^\d{1,2}$/;

/** `stopWithOptions` `{signal, timeout (s), force}` → runtime StopOptions; timeout < 0 or absent = default. */
export function parseStopOptions(value: unknown, defaultTimeoutMs: number): Parsed<StopOptions> {
  const r = new FieldReader();
  const v = value === undefined || value === null ? {} : r.object(value, 'value');
  if (v === undefined) return { ok: false, problems: r.problems };
  const signalRaw = r.string(v['signal'], 'signal');
  const timeout = v['timeout'];
  let timeoutMs = defaultTimeoutMs;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isFinite(timeout)) r.problem('timeout', 'must be a number of seconds');
    else if (timeout >= 0) timeoutMs = Math.round(timeout * 1000);
  }
  const force = r.boolean(v['force'], 'force') ?? true;
  let signal = 'SIGTERM';
  if (signalRaw !== undefined && signalRaw !== '') {
    const s = signalRaw.toUpperCase();
    if (!SIGNAL_RE.test(s)) r.problem('signal', `invalid signal '${signalRaw}'`);
    else signal = /^\d/.test(s) || s.startsWith('SIG') ? s : `SIG${s}`;
  }
  return done(r, { signal, timeoutMs, force });
}

/** `rename` value: a JSON string. */
export function parseRenameValue(value: unknown): Parsed<string> {
  if (typeof value !== 'string' || !isValidContainerName(value)) return { ok: false, problems: [`invalid container name ${JSON.stringify(value) ?? 'undefined'}`] };
  return { ok: true, value };
}

/** `remove` value: a JSON boolean `force` (absent = false). */
export function parseRemoveValue(value: unknown): Parsed<boolean> {
  if (value === undefined || value === null) return { ok: true, value: false };
  if (typeof value === 'boolean') return { ok: true, value };
  if (isPlainObject(value) && typeof (value as Record<string, unknown>)['force'] === 'boolean') return { ok: true, value: (value as Record<string, boolean>)['force']! };
  return { ok: false, problems: ['value must be a boolean (force)'] };
}
