// OCI runtime spec from a ContainerConfig and the image config (pure; devices are resolved by the
// caller). Defaults follow containerd's oci.WithDefaultSpec (mounts, capabilities, masked paths).
import type { ContainerConfig, Resources } from '@ledge/container-management/model-containers';
import { ctrdError, CtrdErrorCodes } from './errors';
import type { ImageConfig } from './images';

export const DEFAULT_CAPABILITIES = Object.freeze([
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
]);
/** Every capability, in kernel bit order (index = bit in /proc/<pid>/status CapBnd). */
export const ALL_CAPABILITIES = Object.freeze([
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
]);
const MASKED = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface ResolvedDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  access: string;
}

export interface SpecInput {
  id: string;
  /** containerd namespace: part of the cgroup path. */
  namespace: string;
  config: ContainerConfig;
  image: ImageConfig;
  devices: ResolvedDevice[];
  /** Network namespace to join (bridge mode); undefined in host mode. */
  netnsPath?: string;
  /** Privileged containers get these (containerd: the caller's bounding set); default all. */
  hostCapabilities?: readonly string[];
  /** Files bind-mounted at /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  etcFiles?: { hosts: string; hostname: string; resolvConf: string };
}

export type Spec = Record<string, unknown>;

function mergeEnv(image: readonly string[], overrides: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...image, ...overrides]) out.set(e.split('=')[0]!, e);
  if (!out.has('PATH')) out.set('PATH', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  return [...out.values()];
}

function user(text: string | undefined, id: string): { uid: number; gid: number } {
  if (!text) return { uid: 0, gid: 0 };
  const [u, g] = text.split(':');
  if (!/^\d+$/.test(u ?? '') || (g !== undefined && !/^\d+$/.test(g)))
    throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: `image user "${text}" must be numeric uid[:gid]` });
  return { uid: Number(u), gid: Number(g ?? 0) };
}

export function linuxResources(r: Resources, devices: readonly ResolvedDevice[], privileged: boolean): Record<string, unknown> {
  const memory: Record<string, number> = {};
  if (r.memoryBytes) memory.limit = r.memoryBytes;
  if (r.memoryReservationBytes) memory.reservation = r.memoryReservationBytes;
  if (r.memorySwapBytes) memory.swap = r.memorySwapBytes;
  const deviceRules = privileged
    ? [{ allow: true, access: 'rwm' }]
    : [
        { allow: false, access: 'rwm' },
        // containerd's default allow list: null, zero, full, random, urandom, tty, ptmx, pts.
        ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 2]].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
        { allow: true, type: 'c', major: 136, access: 'rwm' },
        ...devices.map((d) => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: d.access })),
      ];
  return { devices: deviceRules, ...(Object.keys(memory).length ? { memory } : {}) };
}

export function buildSpec(input: SpecInput): Spec {
  const { id, config, image } = input;
  const entrypoint = image.Entrypoint ?? [];
  const args = [...entrypoint, ...(config.cmd.length ? config.cmd : (image.Cmd ?? []))];
  if (args.length === 0) throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: 'no command: the image has no entrypoint/cmd and none was given' });
  const caps = config.privileged ? [...(input.hostCapabilities ?? ALL_CAPABILITIES)] : [...new Set([...DEFAULT_CAPABILITIES, ...config.extraCapabilities.map((c) => (c.startsWith('CAP_') ? c : `CAP_${c}`).toUpperCase())])];
  const mounts: Record<string, unknown>[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', config.privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', config.privileged ? 'rw' : 'ro'] },
  ];
  if (input.etcFiles) {
    mounts.push({ destination: '/etc/hosts', type: 'bind', source: input.etcFiles.hosts, options: ['rbind', 'rprivate', 'rw'] });
    mounts.push({ destination: '/etc/hostname', type: 'bind', source: input.etcFiles.hostname, options: ['rbind', 'rprivate', 'rw'] });
    mounts.push({ destination: '/etc/resolv.conf', type: 'bind', source: input.etcFiles.resolvConf, options: ['rbind', 'rprivate', 'rw'] });
  }
  for (const m of config.mountPoints) mounts.push({ destination: m.destination, type: 'bind', source: m.source, options: ['rbind', m.propagationMode] });
  const namespaces: Record<string, string>[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (config.networkMode !== 'host') namespaces.push(input.netnsPath ? { type: 'network', path: input.netnsPath } : { type: 'network' });
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: user(image.User, id),
      args,
      env: mergeEnv(image.Env ?? [], config.env),
      cwd: image.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: !config.privileged,
    },
    root: { path: 'rootfs' },
    hostname: config.hostName,
    ...(config.domainName ? { domainname: config.domainName } : {}),
    mounts,
    linux: {
      resources: linuxResources(config.resources, input.devices, config.privileged),
      cgroupsPath: `/${input.namespace}/${id}`,
      namespaces,
      devices: input.devices.map((d) => ({ path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.fileMode, uid: 0, gid: 0 })),
      ...(config.privileged ? {} : { maskedPaths: MASKED, readonlyPaths: READONLY }),
    },
  };
}

/** Capability names of a CapBnd/CapEff hex mask. */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}
