// The one-line forms Kanto's update agent uses for a container's ports, mounts and devices in a desired
// state's key/value config and in its current-state parameters (Kanto containerm/util containers_parse.go):
//   port   [<host ip>:]<host port>[-<host port end>]:<container port>[/<proto>]
//   mount  <source>:<destination>[:<propagation>]
//   device <path on host>:<path in container>[:<cgroup permissions r|w|m>]
// Parsing gives §4.2 descriptor objects (snake_case), so parseDescriptor applies the same checks as to a
// deployment file; a value whose shape is wrong is a problem here. Pure.
import type { DeviceMapping, MountPoint, PortMapping } from '@ledge/container-management/model-containers';

export type FormResult = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

const PORT_RE = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d{1,5})(?:-(\d{1,5}))?:(\d{1,5})(?:\/([a-z]+))?$/i;

export function parsePortForm(v: string): FormResult {
  const m = PORT_RE.exec(v.trim());
  if (m === null) return { ok: false, problem: `'${v}' is not [<host ip>:]<host port>[-<end>]:<container port>[/tcp|udp]` };
  return {
    ok: true,
    value: {
      proto: (m[5] ?? 'tcp').toLowerCase(),
      container_port: Number(m[4]),
      host_ip: m[1] ?? '0.0.0.0',
      host_port: Number(m[2]),
      ...(m[3] !== undefined ? { host_port_end: Number(m[3]) } : {}),
    },
  };
}

/** Splits `a:b[:c]`; both paths must be there. */
function pathPair(v: string, what: string): { ok: true; parts: string[] } | { ok: false; problem: string } {
  const parts = v.trim().split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') return { ok: false, problem: `'${v}' is not ${what}` };
  return { ok: true, parts };
}

export function parseMountForm(v: string): FormResult {
  const p = pathPair(v, '<source>:<destination>[:<propagation>]');
  if (!p.ok) return p;
  return { ok: true, value: { source: p.parts[0], destination: p.parts[1], propagation_mode: p.parts[2] || 'rprivate' } };
}

export function parseDeviceForm(v: string): FormResult {
  const p = pathPair(v, '<path on host>:<path in container>[:<r|w|m>]');
  if (!p.ok) return p;
  return { ok: true, value: { path_on_host: p.parts[0], path_in_container: p.parts[1], cgroup_permissions: p.parts[2] || 'rwm' } };
}

/** Kanto's PortMappingToString: the host IP only when not all interfaces, the range only when it is one. */
export function formatPort(p: PortMapping): string {
  const ip = p.hostIP && p.hostIP !== '0.0.0.0' ? `${p.hostIP}:` : '';
  const range = p.hostPortEnd && p.hostPortEnd !== p.hostPort ? `-${p.hostPortEnd}` : '';
  return `${ip}${p.hostPort}${range}:${p.containerPort}/${p.proto}`;
}

export function formatMount(m: MountPoint): string {
  return `${m.source}:${m.destination}:${m.propagationMode}`;
}

export function formatDevice(d: DeviceMapping): string {
  return `${d.pathOnHost}:${d.pathInContainer}:${d.cgroupPermissions}`;
}
