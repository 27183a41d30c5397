// Container networking: a named network namespace per bridge-mode container (`ip netns`), wired by the
// reference CNI plugins executed directly (loopback; bridge + host-local IPAM; portmap for port
// mappings). The CNI result is kept so DEL gets its prevResult after a daemon restart.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig } from '@ledge/container-management-model';
import type { Logger } from '@ledge/util';
import { withDefaults } from '@ledge/util';
import { ctrdError, CtrdErrorCodes } from './errors';

export interface NetworkOptions {
  /** Linux bridge name (Kanto: kanto-cm0). */
  bridge: string;
  /** IPv4 subnet of the bridge network. */
  subnet: string;
  /** Directory of the CNI plugin binaries. */
  cniBinDir: string;
  mtu: number;
  ipMasq: boolean;
}

export const defaultNetworkOptions: Readonly<NetworkOptions> = Object.freeze({
  bridge: 'ledge-cm0',
  subnet: '10.217.0.0/16',
  cniBinDir: '/usr/lib/cni',
  mtu: 1500,
  ipMasq: true,
});

export interface ContainerNetwork {
  setup(id: string, config: ContainerConfig): Promise<{ netnsPath?: string; ip?: string }>;
  /** Runs CNI DEL with the configs and result saved at setup, then deletes the netns. */
  teardown(id: string): Promise<void>;
  netnsPath(id: string): string;
}

const CNI_VERSION = '0.4.0';

export function createContainerNetwork(options: { stateDir: string; logger: Logger; network?: Partial<NetworkOptions> }): ContainerNetwork {
  const o = withDefaults(defaultNetworkOptions, options.network);
  const dir = join(options.stateDir, 'cni');
  const logger = options.logger;
  mkdirSync(dir, { recursive: true });
  const nsName = (id: string) => `ledge-${id}`;
  const netnsPath = (id: string) => `/var/run/netns/${nsName(id)}`;

  function plugin(id: string, command: 'ADD' | 'DEL', conf: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(o.cniBinDir, String(conf.type)), [], {
        env: { ...process.env, CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netnsPath(id), CNI_IFNAME: 'eth0', CNI_PATH: o.cniBinDir },
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

  return {
    netnsPath,
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
      const ips = (prev?.ips as { address?: string }[] | undefined) ?? [];
      const addr = ips[0]?.address?.split('/')[0];
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
