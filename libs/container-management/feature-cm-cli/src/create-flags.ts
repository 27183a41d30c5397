// `ledge cm create` / `update` flags (Kanto §4.3) → a §4.2 descriptor / a Ditto update value. Pure:
// the daemon validates sizes and enums again; here only the shapes of the compound flags are checked.
import { descriptorHealthCheckOf, healthCheckFromKeys } from '@ledge/container-management/model-containers';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A Kanto flag this daemon cannot honour: refused before anything is sent (exit code 2, as a usage error). */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
}

// Kanto decrypts images with image_dec_keys / decrypt_config (ocicrypt); this daemon's containerd client
// has no decryption, so an encrypted image could never be unpacked: refuse instead of ignoring the keys.
const NO_DECRYPTION = 'encrypted images are not supported: this daemon pulls and unpacks images without decryption (ocicrypt), so --dec-keys/--dec-recipients (image.decrypt_config) cannot be honoured';

/** Refuses a descriptor (from flags or -f) that asks for image decryption. */
export function refuseDecryption(descriptor: Record<string, unknown>): void {
  const image = descriptor['image'];
  const dc = typeof image === 'object' && image !== null ? (image as Record<string, unknown>)['decrypt_config'] : undefined;
  if (typeof dc !== 'object' || dc === null) return;
  const given = (k: string) => {
    const v = (dc as Record<string, unknown>)[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== '';
  };
  if (given('keys') || given('recipients')) throw new UnsupportedError(NO_DECRYPTION);
}

export interface CreateFlags {
  name?: string;
  image: string;
  command?: string;
  args?: readonly string[];
  t?: boolean;
  i?: boolean;
  privileged?: boolean;
  rp?: string;
  rpCnt?: number;
  rpTo?: number;
  devices?: readonly string[];
  ports?: readonly string[];
  network?: string;
  hosts?: readonly string[];
  mp?: readonly string[];
  e?: readonly string[];
  logDriver?: string;
  logMaxFiles?: number;
  logMaxSize?: string;
  logPath?: string;
  logMode?: string;
  logMaxBufferSize?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  capAdd?: readonly string[];
  /** Kanto: `path[:password]` private keys / `pkcs7:<cert>` recipients of an encrypted image (refused). */
  decKeys?: readonly string[];
  decRecipients?: readonly string[];
  /** Ledge health check (issue 18): one of cmd (a shell command), http (`<port><path>`), tcp (`<port>`). */
  healthCmd?: string;
  healthHttp?: string;
  healthTcp?: string;
  /** Go durations: 10s, 500ms, 1m. */
  healthInterval?: string;
  healthTimeout?: string;
  healthStartPeriod?: string;
  healthRetries?: number;
}

/** Each --health-* flag and the desired-state key it is the same as (healthCheckFromKeys reads them). */
const HEALTH_FLAGS = [
  ['healthCmd', 'health.cmd', '--health-cmd'],
  ['healthHttp', 'health.http', '--health-http'],
  ['healthTcp', 'health.tcp', '--health-tcp'],
  ['healthInterval', 'health.interval', '--health-interval'],
  ['healthTimeout', 'health.timeout', '--health-timeout'],
  ['healthStartPeriod', 'health.startPeriod', '--health-start-period'],
  ['healthRetries', 'health.retries', '--health-retries'],
] as const;

/** The --health-* flags as a descriptor's `health_check`; undefined when none is given. */
export function healthCheckFromFlags(f: Pick<CreateFlags, (typeof HEALTH_FLAGS)[number][0]>): Record<string, unknown> | undefined {
  const pairs = HEALTH_FLAGS.flatMap(([flag, key, name]) => {
    const v: unknown = f[flag];
    // yargs makes a repeated flag an array: one check has one of each.
    if (Array.isArray(v)) throw new UsageError(`${name}: given more than once`);
    return v === undefined ? [] : [{ key, value: String(v) }];
  });
  const r = healthCheckFromKeys(pairs);
  // The model names its keys; the user typed flags.
  if (!r.ok) throw new UsageError(r.problem.replace(/\bhealth\.[A-Za-z]+/g, (key) => HEALTH_FLAGS.find(([, k]) => k === key)?.[2] ?? key));
  return r.value === undefined ? undefined : descriptorHealthCheckOf(r.value);
}

const PORT_RE = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d{1,5})(?:-(\d{1,5}))?:(\d{1,5})(?:\/(tcp|udp))?$/i;

/** `[ip:]hport[-hend]:cport[/proto]` → a descriptor port mapping. */
export function parsePortFlag(v: string): Record<string, unknown> {
  const m = PORT_RE.exec(v.trim());
  if (m === null) throw new UsageError(`--ports '${v}': expected [ip:]hostPort[-hostPortEnd]:containerPort[/tcp|udp]`);
  const port = (s: string) => {
    const n = Number(s);
    if (n < 1 || n > 65535) throw new UsageError(`--ports '${v}': port ${s} out of range 1-65535`);
    return n;
  };
  const hostPort = port(m[2]!);
  const hostPortEnd = m[3] !== undefined ? port(m[3]) : undefined;
  if (hostPortEnd !== undefined && hostPortEnd < hostPort) throw new UsageError(`--ports '${v}': range end below start`);
  return {
    proto: (m[5] ?? 'tcp').toLowerCase(),
    container_port: port(m[4]!),
    host_ip: m[1] ?? '0.0.0.0',
    host_port: hostPort,
    ...(hostPortEnd !== undefined ? { host_port_end: hostPortEnd } : {}),
  };
}

/** `host:ctr[:rwm]` → a descriptor device. */
export function parseDeviceFlag(v: string): Record<string, unknown> {
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') throw new UsageError(`--devices '${v}': expected hostPath:containerPath[:rwm]`);
  const perms = parts[2] ?? 'rwm';
  if (!/^[rwm]{1,3}$/.test(perms)) throw new UsageError(`--devices '${v}': permissions must be a combination of r, w, m`);
  return { path_on_host: parts[0], path_in_container: parts[1], cgroup_permissions: perms };
}

/** `src:dst[:propagation]` → a descriptor mount point. */
export function parseMountFlag(v: string): Record<string, unknown> {
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') throw new UsageError(`--mp '${v}': expected source:destination[:propagation]`);
  return { source: parts[0], destination: parts[1], propagation_mode: parts[2] ?? 'rprivate' };
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function restartPolicy(f: Pick<CreateFlags, 'rp' | 'rpCnt' | 'rpTo'>): Record<string, unknown> | undefined {
  if (f.rp === undefined && f.rpCnt === undefined && f.rpTo === undefined) return undefined;
  const type = f.rp ?? 'on-failure';
  if (type !== 'on-failure' && (f.rpCnt !== undefined || f.rpTo !== undefined)) throw new UsageError(`--rp-cnt and --rp-to apply to --rp on-failure only (got --rp ${type})`);
  return defined({ type, maximum_retry_count: f.rpCnt, retry_timeout: f.rpTo });
}

/** The create flags as a §4.2 descriptor (snake_case), as if read from a deployment file. */
export function descriptorFromFlags(f: CreateFlags): Record<string, unknown> {
  if (f.image.trim() === '') throw new UsageError('an image is required');
  const cmd = f.command !== undefined ? [f.command, ...(f.args ?? [])] : [];
  const resources = defined({ memory: f.memory, memory_reservation: f.memoryReservation, memory_swap: f.memorySwap });
  const driver = defined({ type: f.logDriver, max_files: f.logMaxFiles, max_size: f.logMaxSize, root_dir: f.logPath });
  const mode = defined({ mode: f.logMode, max_buffer_size: f.logMaxBufferSize });
  const logConfig = defined({ driver_config: Object.keys(driver).length ? driver : undefined, mode_config: Object.keys(mode).length ? mode : undefined });
  const rp = restartPolicy(f);
  const hostConfig = defined({
    privileged: f.privileged || undefined,
    network_mode: f.network,
    extra_hosts: f.hosts?.length ? [...f.hosts] : undefined,
    extra_capabilities: f.capAdd?.length ? [...f.capAdd] : undefined,
    devices: f.devices?.length ? f.devices.map(parseDeviceFlag) : undefined,
    port_mappings: f.ports?.length ? f.ports.map(parsePortFlag) : undefined,
    resources: Object.keys(resources).length ? resources : undefined,
    restart_policy: rp,
    log_config: Object.keys(logConfig).length ? logConfig : undefined,
  });
  const config = defined({ env: f.e?.length ? [...f.e] : undefined, cmd: cmd.length ? cmd : undefined });
  const io = defined({ tty: f.t || undefined, open_stdin: f.i || undefined });
  const decrypt = defined({ keys: f.decKeys?.length ? [...f.decKeys] : undefined, recipients: f.decRecipients?.length ? [...f.decRecipients] : undefined });
  const descriptor = defined({
    container_name: f.name,
    health_check: healthCheckFromFlags(f),
    image: { name: f.image.trim(), ...(Object.keys(decrypt).length ? { decrypt_config: decrypt } : {}) },
    mount_points: f.mp?.length ? f.mp.map(parseMountFlag) : undefined,
    config: Object.keys(config).length ? config : undefined,
    io_config: Object.keys(io).length ? io : undefined,
    host_config: Object.keys(hostConfig).length ? hostConfig : undefined,
  });
  refuseDecryption(descriptor);
  return descriptor;
}

export type UpdateFlags = Pick<CreateFlags, 'rp' | 'rpCnt' | 'rpTo' | 'memory' | 'memoryReservation' | 'memorySwap'>;

/** `update` flags → the Ditto `update` value the daemon parses (restartPolicy, resources). */
export function updateFromFlags(f: UpdateFlags): Record<string, unknown> {
  const rp = restartPolicy(f);
  const resources = defined({ memory: f.memory, memoryReservation: f.memoryReservation, memorySwap: f.memorySwap });
  const out = defined({
    restartPolicy: rp ? defined({ type: rp['type'], maxRetryCount: rp['maximum_retry_count'], retryTimeout: rp['retry_timeout'] }) : undefined,
    resources: Object.keys(resources).length ? resources : undefined,
  });
  if (Object.keys(out).length === 0) throw new UsageError('nothing to update: give --rp, --rp-cnt, --rp-to, -m, --memory-reservation or --memory-swap');
  return out;
}
