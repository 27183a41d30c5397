// A private containerd for integration tests: temp root/state, its own socket, CRI disabled. Cleanup
// (registered next to creation) kills the daemon and the shims it started, unmounts leftovers and
// removes the directories.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, onCleanup, waitFor, type TestContextLike } from '@ledge/shared/util/testing';

export interface ContainerdFixture {
  readonly socket: string;
  readonly root: string;
  readonly dir: string;
  /** Kill and start the daemon again (tasks survive in their shims). */
  restart(): Promise<void>;
}

export function containerdAvailable(): boolean {
  return process.getuid?.() === 0 && hasCommand('containerd') && hasCommand('runc');
}

function startDaemon(config: string, stderr: string[]): ChildProcess {
  const child = spawn('containerd', ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (stderr.length > 200) stderr.shift();
  });
  return child;
}

async function waitReady(socket: string, child: ChildProcess): Promise<void> {
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`containerd exited with ${child.exitCode}`);
    return existsSync(socket) && spawnSync('ctr', ['-a', socket, 'version'], { stdio: 'ignore' }).status === 0;
  }, 15_000);
}

function killShims(socket: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.includes('containerd-shim') && cmd.includes(socket)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // The process exited while we looked.
      continue;
    }
  }
}

function deleteAllTasks(socket: string): void {
  const ctr = (args: string[]) => spawnSync('ctr', ['-a', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  for (const ns of ctr(['namespaces', 'ls', '-q']).stdout?.split('\n').filter(Boolean) ?? [])
    for (const id of ctr(['-n', ns, 'tasks', 'ls', '-q']).stdout?.split('\n').filter(Boolean) ?? []) ctr(['-n', ns, 'tasks', 'rm', '-f', id]);
}

function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(dir))
    .reverse();
  for (const m of mounts) spawnSync('umount', ['-l', m.replace(/\\040/g, ' ')], { stdio: 'ignore' });
}

export async function startContainerd(t: TestContextLike): Promise<ContainerdFixture> {
  const dir = mkdtempSync('/tmp/ledge-ctrd-');
  const root = join(dir, 'root');
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${root}"`,
      `state = "${join(dir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const stderr: string[] = [];
  let child = startDaemon(config, stderr);
  onCleanup(t, async () => {
    // Graceful first: deleted tasks let their shims exit and remove their sockets.
    if (child.exitCode === null) deleteAllTasks(socket);
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    killShims(socket);
    // Shims take a moment to die and release their mounts.
    await new Promise((r) => setTimeout(r, 200));
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitReady(socket, child);
  return {
    socket,
    root,
    dir,
    async restart() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      child = startDaemon(config, stderr);
      await waitReady(socket, child);
    },
  };
}
