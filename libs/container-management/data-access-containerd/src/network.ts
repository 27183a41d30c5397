// Container networking: a named network namespace per bridge-mode container (`ip netns`), wired by the
// reference CNI plugins executed directly (loopback; bridge + host-local IPAM; portmap for port
// mappings). The CNI result is kept so DEL gets its prevResult after a daemon restart.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { withDefaults } from '@ledge/shared/util';
import { ctrdError, CtrdErrorCodes } from './errors';

export interface NetworkOptions {
  /** Linux bridge name (Kanto: kanto-cm0). */
  bridge: string;
  /** IPv4 subnet of the bridge network. */
  subnet: string;
  /** Directory of the CNI plugin binaries; '' = the first of `cniBinDirs` that holds all of CNI_PLUGINS. */
  cniBinDir: string;
  /** Where to look when `cniBinDir` is '', in order. */
  cniBinDirs: readonly string[];
  mtu: number;
  ipMasq: boolean;
}

/**
 * Where the reference CNI plugins get installed: Debian's containernetworking-plugins (/usr/lib/cni),
 * meta-virtualization's cni recipe on Yocto (/usr/libexec/cni), the upstream release tarball and some
 * Yocto builds (/opt/cni/bin) (issue 6).
 */
export const CNI_BIN_DIRS: readonly string[] = Object.freeze(['/usr/lib/cni', '/usr/libexec/cni', '/opt/cni/bin']);
/** The plugins this module executes. */
export const CNI_PLUGINS: readonly string[] = Object.freeze(['loopback', 'bridge', 'host-local', 'portmap']);

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false; // absent or not executable: not a plugin
  }
}

/** The first of `dirs` holding every one of `plugins` as an executable file, or undefined. */
export function findCniBinDir(dirs: readonly string[], plugins: readonly string[] = CNI_PLUGINS): string | undefined {
  return dirs.find((dir) => plugins.every((p) => isExecutableFile(join(dir, p))));
}

export const defaultNetworkOptions: Readonly<NetworkOptions> = Object.freeze({
  bridge: 'ledge-cm0',
  subnet: '10.217.0.0/16',
  cniBinDir: '',
  cniBinDirs: CNI_BIN_DIRS,
  mtu: 1500,
  ipMasq: true,
});

export interface ContainerNetwork {
  setup(id: string, config: ContainerConfig): Promise<{ netnsPath?: string; ip?: string }>;
  /** Runs CNI DEL with the configs and result saved at setup, then deletes the netns. */
  teardown(id: string): Promise<void>;
  netnsPath(id: string): string;
  /** The bridge address CNI gave the container (kept in its saved result), or undefined. */
  address(id: string): string | undefined;
}

const CNI_VERSION = '0.4.0';

export function createContainerNetwork(options: { stateDir: string; logger: Logger; network?: Partial<NetworkOptions> }): ContainerNetwork {
  const o = withDefaults(defaultNetworkOptions, options.network);
  const dir = join(options.stateDir, 'cni');
  const logger = options.logger;
  mkdirSync(dir, { recursive: true });
  const nsName = (id: string) => `ledge-${id}`;
  const netnsPath = (id: string) => `/var/run/netns/${nsName(id)}`;
  // Looked up at the first bridge-mode container (host networking needs no plugins) and kept once found.
  let binDir = o.cniBinDir;
  function cniBinDir(id: string): string {
    if (binDir) return binDir;
    const found = findCniBinDir(o.cniBinDirs);
    if (!found) throw ctrdError(CtrdErrorCodes.NETWORK_FAILED, { id, detail: `no CNI plugins (${CNI_PLUGINS.join(', ')}) in ${o.cniBinDirs.join(', ')}` });
    logger.info({ cniBinDir: found }, 'CNI plugins found');
    return (binDir = found);
  }

  function plugin(id: string, command: 'ADD' | 'DEL', conf: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const bin = cniBinDir(id); // a throw here rejects the promise
      const child = spawn(join(bin, String(conf.type)), [], {
        env: { ...process.env, CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netnsPath(id), CNI_IFNAME: 'eth0', CNI_PATH: bin },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => reject(ctrdError(CtrdErrorCodes.NETWORK_FAILED, { id, detail: e.message }, e)));
      child.on('close', (code) => {
        if (code === 0) {
          try {
            resolve(out.trim() ? (JSON.parse(out) as Record<string, unknown>) : {});
          } catch (e) {
            reject(ctrdError(CtrdErrorCodes.NETWORK_FAILED, { id, detail: `bad ${String(conf.type)} output` }, e));
          }
        } else reject(ctrdError(CtrdErrorCodes.NETWORK_FAILED, { id, detail: `${String(conf.type)} ${command}: ${(out || err).trim()}` }));
      });
      child.stdin.end(JSON.stringify(conf));
    });
  }

  function confs(config: ContainerConfig): Record<string, unknown>[] {
    const portMappings = config.portMappings.flatMap((p) => {
      const count = p.hostPortEnd && p.hostPortEnd > p.hostPort ? p.hostPortEnd - p.hostPort + 1 : 1;
      return Array.from({ length: count }, (_, i) => ({
        hostPort: p.hostPort + i,
        containerPort: p.containerPort + (count > 1 ? i : 0),
        protocol: p.proto,
        ...(p.hostIP && p.hostIP !== '0.0.0.0' ? { hostIP: p.hostIP } : {}),
      }));
    });
    const list: Record<string, unknown>[] = [
      { cniVersion: CNI_VERSION, name: 'ledge', type: 'bridge', bridge: o.bridge, isGateway: true, ipMasq: o.ipMasq, mtu: o.mtu, hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: o.subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'ipam') } },
    ];
    if (portMappings.length) list.push({ cniVersion: CNI_VERSION, name: 'ledge', type: 'portmap', capabilities: { portMappings: true }, snat: true, runtimeConfig: { portMappings } });
    return list;
  }

  function ip(args: string[], id: string): void {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw ctrdError(CtrdErrorCodes.NETWORK_FAILED, { id, detail: `ip ${args.join(' ')}: ${r.stderr.trim()}` });
  }

  /** The first IP of a CNI result (`ips[0].address` is CIDR notation). */
  const firstIp = (result: Record<string, unknown> | undefined) => ((result?.ips as { address?: string }[] | undefined) ?? [])[0]?.address?.split('/')[0];

  return {
    netnsPath,
    address(id) {
      const resultFile = join(dir, `${id}.json`);
      try {
        return existsSync(resultFile) ? firstIp((JSON.parse(readFileSync(resultFile, 'utf8')) as { result?: Record<string, unknown> }).result) : undefined;
      } catch (err) {
        logger.warn({ err, id }, 'unreadable CNI result');
        return undefined;
      }
    },
    async setup(id, config) {
      if (config.networkMode === 'host') return {};
      if (!existsSync(netnsPath(id))) ip(['netns', 'add', nsName(id)], id);
      const resultFile = join(dir, `${id}.json`);
      if (existsSync(resultFile)) return { netnsPath: netnsPath(id) };
      await plugin(id, 'ADD', { cniVersion: CNI_VERSION, name: 'lo', type: 'loopback' });
      let prev: Record<string, unknown> | undefined;
      const list = confs(config);
      writeFileSync(resultFile, JSON.stringify({ confs: list }));
      try {
        for (const c of list) prev = await plugin(id, 'ADD', prev ? { ...c, prevResult: prev } : c);
      } catch (err) {
        await this.teardown(id).catch((e: unknown) => logger.warn({ err: e, id }, 'network cleanup failed'));
        throw err;
      }
      writeFileSync(resultFile, JSON.stringify({ confs: list, result: prev }));
      const addr = firstIp(prev);
      logger.debug({ id, ip: addr }, 'container network up');
      return { netnsPath: netnsPath(id), ...(addr ? { ip: addr } : {}) };
    },
    async teardown(id) {
      const resultFile = join(dir, `${id}.json`);
      let saved: { confs?: Record<string, unknown>[]; result?: Record<string, unknown> } = {};
      try {
        if (existsSync(resultFile)) saved = JSON.parse(readFileSync(resultFile, 'utf8')) as typeof saved;
      } catch (err) {
        logger.warn({ err, id }, 'unreadable CNI result');
      }
      const prev = saved.result;
      if (saved.confs) {
        for (const c of [...saved.confs].reverse()) {
          await plugin(id, 'DEL', prev ? { ...c, prevResult: prev } : c).catch((err: unknown) => logger.warn({ err, id, plugin: c.type }, 'CNI DEL failed'));
        }
      }
      rmSync(resultFile, { force: true });
      if (existsSync(netnsPath(id))) ip(['netns', 'delete', nsName(id)], id);
    },
  };
}
