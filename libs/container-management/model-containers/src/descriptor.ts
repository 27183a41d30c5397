// Kanto container descriptors (§4.2: deployment files, SoftwareUpdatable artifacts, `create -f`):
// snake_case JSON with Kanto's defaults → the container model.
import type { ContainerConfig, DeviceMapping, MountPoint, PortMapping } from './container';
import { DEFAULT_MAX_RETRY_COUNT, DEFAULT_RETRY_TIMEOUT_SECONDS, defaultContainerConfig, isValidContainerName } from './defaults';
import { NETWORK_MODES, PROPAGATION_MODES, RESTART_POLICY_TYPES, type Parsed } from './ditto-config';
import { checkRestartNeedsHealth, DESCRIPTOR_HEALTH_KEYS, readHealthCheck } from './health-check-parse';
import { FieldReader } from './reader';
import { MIN_MEMORY_BYTES, parseSize } from './sizes';

export function parseDescriptor(value: unknown): Parsed<ContainerConfig> {
  const r = new FieldReader();
  const v = r.object(value, 'descriptor');
  if (v === undefined) {
    if (r.problems.length === 0) r.problem('descriptor', 'must be an object');
    return { ok: false, problems: r.problems };
  }
  const name = r.string(v['container_name'], 'container_name');
  const image = r.object(v['image'], 'image');
  const imageRef = image ? r.string(image['name'], 'image.name') : undefined;
  if (!name) r.problem('container_name', 'is required');
  else if (!isValidContainerName(name)) r.problem('container_name', `invalid container name '${name}'`);
  if (!imageRef) r.problem('image.name', 'is required');
  if (!name || !imageRef) return { ok: false, problems: r.problems };
  const c = defaultContainerConfig(name, imageRef);
  c.domainName = r.string(v['domain_name'], 'domain_name') || c.domainName;
  c.hostName = r.string(v['host_name'], 'host_name') || c.hostName;
  const mounts = r.array(v['mount_points'], 'mount_points') ?? [];
  c.mountPoints = mounts.flatMap((m, i): MountPoint[] => {
    const o = r.object(m, `mount_points[${i}]`);
    const source = o ? r.string(o['source'], `mount_points[${i}].source`) : undefined;
    const destination = o ? r.string(o['destination'], `mount_points[${i}].destination`) : undefined;
    if (!source || !destination) {
      r.problem(`mount_points[${i}]`, 'source and destination are required');
      return [];
    }
    return [{ source, destination, propagationMode: r.enumOf(o!['propagation_mode'], `mount_points[${i}].propagation_mode`, PROPAGATION_MODES) ?? 'rprivate' }];
  });
  const config = r.object(v['config'], 'config');
  if (config) {
    c.env = r.strings(config['env'], 'config.env') ?? [];
    c.cmd = r.strings(config['cmd'], 'config.cmd') ?? [];
  }
  const io = r.object(v['io_config'], 'io_config');
  if (io) {
    c.openStdin = r.boolean(io['open_stdin'], 'io_config.open_stdin') ?? false;
    c.tty = r.boolean(io['tty'], 'io_config.tty') ?? false;
  }
  const hc = r.object(v['host_config'], 'host_config');
  if (hc) hostConfig(r, c, hc);
  // A Ledge key (issue 18), beside Kanto's: set only when given, so an unchanged descriptor stays equal
  // to the record a deployment compares it with.
  const health = readHealthCheck(r, v['health_check'], 'health_check', DESCRIPTOR_HEALTH_KEYS);
  if (health) c.healthCheck = health;
  checkRestartNeedsHealth(r, c, 'host_config.restart_policy.type', 'health_check');
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value: c };
}

function hostConfig(r: FieldReader, c: ContainerConfig, hc: Record<string, unknown>): void {
  c.devices = (r.array(hc['devices'], 'host_config.devices') ?? []).flatMap((d, i): DeviceMapping[] => {
    const p = `host_config.devices[${i}]`;
    const o = r.object(d, p);
    const onHost = o ? r.string(o['path_on_host'], `${p}.path_on_host`) : undefined;
    const inCtr = o ? r.string(o['path_in_container'], `${p}.path_in_container`) : undefined;
    if (!onHost || !inCtr) {
      r.problem(p, 'path_on_host and path_in_container are required');
      return [];
    }
    const perms = r.string(o!['cgroup_permissions'], `${p}.cgroup_permissions`) || 'rwm';
    if (!/^[rwm]{1,3}$/.test(perms)) r.problem(`${p}.cgroup_permissions`, 'must be a combination of r, w, m');
    return [{ pathOnHost: onHost, pathInContainer: inCtr, cgroupPermissions: perms }];
  });
  c.networkMode = r.enumOf(hc['network_mode'], 'host_config.network_mode', NETWORK_MODES) ?? c.networkMode;
  c.privileged = r.boolean(hc['privileged'], 'host_config.privileged') ?? false;
  c.extraHosts = r.strings(hc['extra_hosts'], 'host_config.extra_hosts') ?? [];
  c.extraCapabilities = r.strings(hc['extra_capabilities'], 'host_config.extra_capabilities') ?? [];
  c.portMappings = (r.array(hc['port_mappings'], 'host_config.port_mappings') ?? []).flatMap((pm, i): PortMapping[] => {
    const p = `host_config.port_mappings[${i}]`;
    const o = r.object(pm, p);
    if (!o) return [];
    const proto = (r.string(o['proto'], `${p}.proto`) || 'tcp').toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') r.problem(`${p}.proto`, `unsupported protocol '${proto}'`);
    const containerPort = r.integer(o['container_port'], `${p}.container_port`, 1, 65535);
    const hostPort = r.integer(o['host_port'], `${p}.host_port`, 1, 65535);
    const hostPortEnd = r.integer(o['host_port_end'], `${p}.host_port_end`, 0, 65535);
    if (containerPort === undefined || hostPort === undefined) {
      r.problem(p, 'container_port and host_port are required');
      return [];
    }
    return [{ proto: proto === 'udp' ? 'udp' : 'tcp', containerPort, hostIP: r.string(o['host_ip'], `${p}.host_ip`) || '0.0.0.0', hostPort, ...(hostPortEnd ? { hostPortEnd } : {}) }];
  });
  const res = r.object(hc['resources'], 'host_config.resources');
  if (res) {
    const sz = (key: string, min?: number, unlimited = false) => {
      const raw = res[key];
      if (raw === undefined || raw === null || raw === '') return undefined;
      const n = parseSize(raw);
      if (n === undefined || (n === -1 && !unlimited) || (n !== -1 && min !== undefined && n < min)) {
        r.problem(`host_config.resources.${key}`, `invalid size '${String(raw)}'${min ? ' (min 3M)' : ''}`);
        return undefined;
      }
      return n;
    };
    const memory = sz('memory', MIN_MEMORY_BYTES);
    const reservation = sz('memory_reservation');
    const swap = sz('memory_swap', undefined, true);
    c.resources = { ...(memory !== undefined ? { memoryBytes: memory } : {}), ...(reservation !== undefined ? { memoryReservationBytes: reservation } : {}), ...(swap !== undefined ? { memorySwapBytes: swap } : {}) };
  }
  const rp = r.object(hc['restart_policy'], 'host_config.restart_policy');
  if (rp) {
    const type = r.enumOf(rp['type'], 'host_config.restart_policy.type', RESTART_POLICY_TYPES) ?? 'unless-stopped';
    c.restartPolicy =
      type === 'on-failure'
        ? {
            type,
            maxRetryCount: r.integer(rp['maximum_retry_count'], 'host_config.restart_policy.maximum_retry_count', 0) ?? DEFAULT_MAX_RETRY_COUNT,
            // Kanto decodes retry_timeout as a Go duration number (ns) while documenting seconds (§4.2);
            // values above 1e6 can only be nanoseconds.
            retryTimeoutSeconds: retrySeconds(r.integer(rp['retry_timeout'], 'host_config.restart_policy.retry_timeout', 0)),
          }
        : { type };
  }
  const lc = r.object(hc['log_config'], 'host_config.log_config');
  if (lc) {
    const dc = r.object(lc['driver_config'], 'host_config.log_config.driver_config') ?? {};
    const mc = r.object(lc['mode_config'], 'host_config.log_config.mode_config') ?? {};
    const log = { ...c.log };
    log.type = r.enumOf(dc['type'], 'host_config.log_config.driver_config.type', ['json-file', 'none'] as const) ?? log.type;
    log.maxFiles = r.integer(dc['max_files'], 'host_config.log_config.driver_config.max_files', 1) ?? log.maxFiles;
    if (dc['max_size'] !== undefined && dc['max_size'] !== '') {
      const n = parseSize(dc['max_size']);
      if (n === undefined || n <= 0) r.problem('host_config.log_config.driver_config.max_size', `invalid size '${String(dc['max_size'])}'`);
      else log.maxSizeBytes = n;
    }
    const root = r.string(dc['root_dir'], 'host_config.log_config.driver_config.root_dir');
    if (root) log.rootDir = root;
    log.mode = r.enumOf(mc['mode'], 'host_config.log_config.mode_config.mode', ['blocking', 'non-blocking'] as const) ?? log.mode;
    if (mc['max_buffer_size'] !== undefined && mc['max_buffer_size'] !== '') {
      const n = parseSize(mc['max_buffer_size']);
      if (n === undefined || n <= 0) r.problem('host_config.log_config.mode_config.max_buffer_size', `invalid size '${String(mc['max_buffer_size'])}'`);
      else log.maxBufferSizeBytes = n;
    }
    c.log = log;
  }
}

function retrySeconds(v: number | undefined): number {
  if (v === undefined) return DEFAULT_RETRY_TIMEOUT_SECONDS;
  return v > 1_000_000 ? Math.round(v / 1e9) : v;
}
