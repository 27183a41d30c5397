// What the host prepares for a container before containerd sees it: its devices resolved to
// major/minor numbers, the capability bounding set for privileged containers, and its /etc files.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { ctrdError, CtrdErrorCodes } from './errors';
import { capabilitiesFromMask, type ResolvedDevice } from './spec';
import { containerDir } from './task-io';

/** The host devices a container asks for, as the OCI spec needs them; a missing or non-device path is a config error. */
export function resolveDevices(id: string, config: ContainerConfig): ResolvedDevice[] {
  return config.devices.map((d) => {
    let st;
    try {
      st = statSync(d.pathOnHost);
    } catch (err) {
      throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: `device ${d.pathOnHost} not found` }, err);
    }
    if (!st.isCharacterDevice() && !st.isBlockDevice()) throw ctrdError(CtrdErrorCodes.INVALID_CONFIG, { id, detail: `${d.pathOnHost} is not a device` });
    const rdev = Number(st.rdev);
    return {
      path: d.pathInContainer,
      type: st.isCharacterDevice() ? 'c' : 'b',
      major: Math.floor(rdev / 256) & 0xfff,
      minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
      fileMode: st.mode & 0o777,
      access: d.cgroupPermissions || 'rwm',
    };
  });
}

/** The capability bounding set this process has (what a privileged container can get at most). */
export function hostCapabilities(logger: Logger): string[] | undefined {
  const m = /^CapBnd:\s+([0-9a-f]+)$/m.exec(readOr(logger, '/proc/self/status', ''));
  return m ? capabilitiesFromMask(m[1]!) : undefined;
}

function readOr(logger: Logger, path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    logger.debug({ err, path }, 'host file unreadable; using a default');
    return fallback;
  }
}

/** The container's /etc/hosts, /etc/hostname and /etc/resolv.conf, written under its state directory. */
export function etcFiles(stateDir: string, id: string, config: ContainerConfig, logger: Logger): { hosts: string; hostname: string; resolvConf: string } {
  const dir = containerDir(stateDir, id);
  mkdirSync(dir, { recursive: true });
  const files = { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') };
  const extra = config.extraHosts.map((h) => {
    const i = h.lastIndexOf(':');
    return `${h.slice(i + 1)}\t${h.slice(0, i)}`;
  });
  // Host mode shares the host's names; bridge mode gets its own minimal file. Extra hosts go to both.
  const base = config.networkMode === 'host' ? readOr(logger, '/etc/hosts', '127.0.0.1\tlocalhost').trimEnd().split('\n') : ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `127.0.1.1\t${config.hostName}`];
  writeFileSync(files.hosts, [...base, ...extra, ''].join('\n'));
  writeFileSync(files.hostname, `${config.hostName}\n`);
  writeFileSync(files.resolvConf, readOr(logger, '/etc/resolv.conf', 'nameserver 8.8.8.8\n'));
  return files;
}
