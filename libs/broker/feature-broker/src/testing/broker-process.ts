// Runs the shipped bundle (dist/apps/broker/main.js) on port 0 for integration tests, and talks raw MQTT
// over a socket. Everything started here is stopped by the test that started it.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { bundlePath, createTempDir, onCleanup, spawnNode, waitFor, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';

export interface BrokerProcess {
  proc: Spawned;
  port: number;
  url: string;
  dataDir: string;
}

export async function startBrokerProcess(t: TestContextLike, args: readonly string[] = [], dataDir?: string): Promise<BrokerProcess> {
  const bundle = bundlePath('broker');
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run \`node tools/build-app.mjs broker\` first`);
  const dir = dataDir ?? createTempDir(t, 'ledge-broker-');
  // an empty config file of its own: a /etc/ledge/broker.json on the test machine must not leak in
  const configFile = join(createTempDir(t, 'ledge-broker-config-'), 'broker.json');
  writeFileSync(configFile, '{}');
  const proc = spawnNode(t, bundle, { args: ['--config', configFile, '--port', '0', '--dataDir', dir, ...args] });
  const listening = await proc.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp', 20_000);
  const port = listening['port'] as number;
  return { proc, port, url: `mqtt://127.0.0.1:${port}`, dataDir: dir };
}

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  readonly closed: Promise<void>;
  isClosed(): boolean;
  send(bytes: Buffer): void;
  /** Resolves once at least `n` bytes arrived. */
  waitForBytes(n: number, timeoutMs?: number): Promise<Buffer>;
}

export async function rawConnect(t: TestContextLike, port: number): Promise<RawConnection> {
  const socket = netConnect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let done = false;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined); // resets are what some tests provoke
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => (done = true));
  t.after(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received = () => Buffer.concat(chunks);
  return {
    socket,
    received,
    closed,
    isClosed: () => done,
    send: (bytes) => void socket.write(bytes),
    waitForBytes: (n, timeoutMs = 5000) => waitFor(() => (received().length >= n ? received() : undefined), timeoutMs, `${n} bytes`),
  };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (mosquitto_pub/_sub) to completion, killed after `timeoutMs`. */
export function run(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running command (mosquitto_sub) whose output is collected until the test ends. */
export function runInBackground(t: TestContextLike, cmd: string, args: readonly string[]): { lines(): string[]; exited: Promise<number | null> } {
  const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  onCleanup(t, async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return { lines: () => out.split('\n').filter(Boolean), exited };
}
