// A real Mosquitto for integration tests: a free port (port 0, never fixed), a config file in a temp
// dir, the process killed by the test that started it (cleanup registered next to creation).
import { existsSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createTempDir, spawnProcess, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** Stops the broker (SIGKILL: an abrupt death, as a crash; SIGTERM: orderly). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** The mosquitto binary ($LEDGE_MOSQUITTO, PATH, or Debian's /usr/sbin), or undefined when missing. */
export function findMosquitto(): string | undefined {
  const env = process.env['LEDGE_MOSQUITTO'];
  if (env) return env;
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));
}

/** A port that was free a moment ago: bind port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** True once something accepts TCP connections on 127.0.0.1:<port>. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(t: TestContextLike, options: { extraConfig?: string } = {}): Promise<Mosquitto> {
  const bin = findMosquitto();
  if (!bin) throw new Error('mosquitto not found: apt-get install -y mosquitto (or set LEDGE_MOSQUITTO)');
  const port = await freePort();
  const dir = createTempDir(t, 'ledge-mosquitto-');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n${options.extraConfig ?? ''}`);
  let proc: Spawned | undefined;

  const start = async () => {
    if (proc) return;
    const p = spawnProcess(t, bin, { args: ['-c', conf] });
    proc = p;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await canConnect(port)) return;
      const exited = await Promise.race([p.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
      if (exited) throw new Error(`mosquitto exited: ${p.stderr.join('').slice(-1000)}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${p.stderr.join('').slice(-1000)}`);
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const p = proc;
    proc = undefined;
    if (p) await p.kill(signal);
  };
  await start();
  return { port, url: `mqtt://127.0.0.1:${port}`, start, stop };
}
