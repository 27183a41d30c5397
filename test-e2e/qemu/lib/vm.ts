// The emulated gateway: qemu-system-aarch64 -M virt -cpu cortex-a72 (TCG), Debian's kernel and initrd from the
// image, user networking (restrict=on: the guest reaches nothing outside; hostfwd brings the MQTT port to
// 127.0.0.1:<hostPort>), the console in a file, and the test agent on a virtio-serial port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PORT_NAME, GUEST_MQTT_PROXY_PORT } from './install';

export interface VmOptions {
  kernel: string;
  initrd: string;
  image: string;
  workdir: string;
  memMiB?: number;
  cpus?: number;
  /** Host services the guest may reach at 10.0.2.100:<guestPort>. */
  guestForwards?: { guestPort: number; hostPort: number }[];
}

/**
 * Where the guest reaches forwarded host services. QEMU's host alias 10.0.2.2 cannot carry a guestfwd
 * rule, and restrict=on (the guest reaches nothing else) blocks plain 10.0.2.2, so a spare slirp address.
 */
export const HOST_ALIAS = '10.0.2.100';
const PIPE = join(import.meta.dirname, 'stdio-pipe.mjs');

export interface ShResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Vm {
  /** 127.0.0.1 port forwarded to the guest's MQTT proxy (and so to the broker). */
  mqttPort: number;
  consoleLog: string;
  /** Runs a shell command in the guest as root; rejects on a non-zero exit unless `allowFail`. */
  sh(cmd: string, opts?: { timeoutMs?: number; allowFail?: boolean }): Promise<ShResult>;
  /** Resolves once the agent in the guest answers (the system is up to multi-user). */
  waitForAgent(timeoutMs: number): Promise<void>;
  /** systemctl poweroff, then SIGKILL if QEMU has not exited in `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /**
   * A power cut: QEMU is SIGKILLed (the guest gets no shutdown, and what it had not written to its virtual
   * disk is gone; what it had written is in the image file), then the same disk boots again. Resolves once
   * the agent answers; `mqttPort` and the forwards stay the same.
   */
  powerCut(bootTimeoutMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startVm(opts: VmOptions): Promise<Vm> {
  const mqttPort = await freePort();
  const sock = join(opts.workdir, 'agent.sock');
  const consoleLog = join(opts.workdir, 'console.log');
  const args = [
    '-M', 'virt',
    // Cortex-A72: the Raspberry Pi 4's core (ARMv8.0). `-cpu max` emulates every optional feature QEMU
    // knows (pointer authentication, SVE, MTE...); with it the guest's Node.js crashed once (SIGSEGV in
    // the broker) in four runs, never seen on real hardware; a real gateway's CPU is the fairer model.
    '-cpu', 'cortex-a72',
    '-accel', 'tcg',
    '-smp', String(opts.cpus ?? 2),
    '-m', String(opts.memMiB ?? 2048),
    '-display', 'none', '-monitor', 'none', '-no-reboot',
    '-serial', `file:${consoleLog}`,
    '-kernel', opts.kernel,
    '-initrd', opts.initrd,
    '-append', 'root=/dev/vda rw console=ttyAMA0 panic=-1 systemd.show_status=1 net.ifnames=1',
    '-drive', `file=${opts.image},if=none,format=raw,id=hd0,cache=unsafe`,
    '-device', 'virtio-blk-pci,drive=hd0',
    // guestfwd: the guest's connections to 10.0.2.100:<guestPort> reach 127.0.0.1:<hostPort> on the host
    // (the "cloud" broker), the only way out of restrict=on. The cmd: form runs one relay per connection
    // (the tcp: form would open a single host connection when QEMU starts).
    '-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${mqttPort}-:${GUEST_MQTT_PROXY_PORT}${(opts.guestForwards ?? []).map((f) => `,guestfwd=tcp:${HOST_ALIAS}:${f.guestPort}-cmd:${process.execPath} ${PIPE} 127.0.0.1 ${f.hostPort}`).join('')}`,
    '-device', 'virtio-net-pci,netdev=n0,romfile=',
    '-device', 'virtio-rng-pci',
    '-device', 'virtio-serial-pci',
    '-chardev', `socket,id=agent,path=${sock},server=on,wait=off`,
    '-device', `virtserialport,chardev=agent,name=${AGENT_PORT_NAME}`,
  ];
  let qemu: ChildProcess;
  let qemuOutput = '';
  let exited: Promise<number | null>;
  let running = false;
  const launch = () => {
    qemu = spawn('qemu-system-aarch64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    qemuOutput = '';
    qemu.stdout?.on('data', (d: Buffer) => (qemuOutput += d.toString()));
    qemu.stderr?.on('data', (d: Buffer) => (qemuOutput += d.toString()));
    const child = qemu;
    exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    running = true;
    void exited.then(() => {
      if (qemu === child) running = false;
    });
  };
  launch();

  // The agent channel: JSON lines, replies matched by id (requests sent before the guest opened its
  // end may be lost or answered late; unknown ids are ignored).
  let socket: Socket | undefined;
  let nextId = 1;
  const waiting = new Map<number, (r: ShResult & { id: number }) => void>();
  let buffer = '';
  const connect = async (deadline: number): Promise<Socket> => {
    while (!socket || socket.destroyed) {
      if (!running) throw new Error(`QEMU exited: ${qemuOutput.trim()}`);
      if (Date.now() > deadline) throw new Error('no agent socket from QEMU');
      if (existsSync(sock)) {
        socket = await new Promise<Socket | undefined>((resolve) => {
          const s = createConnection(sock, () => resolve(s));
          // Not only connect errors: a write racing the guest's poweroff (or QEMU's exit) fails with
          // EPIPE later, and an error without a listener would crash the test run after it passed. A
          // destroyed socket is reconnected by the next request; a request in flight times out.
          s.on('error', () => {
            resolve(undefined);
            s.destroy();
          });
        });
        socket?.on('data', (d: Buffer) => {
          buffer += d.toString('utf8');
          let nl;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            try {
              const msg = JSON.parse(line) as ShResult & { id: number };
              waiting.get(msg.id)?.(msg);
              waiting.delete(msg.id);
            } catch {
              // a partial line from a restarted agent: ignore it, the request is retried or times out
            }
          }
        });
      }
      if (!socket) await new Promise((r) => setTimeout(r, 200));
    }
    return socket;
  };

  const request = async (cmd: string, timeoutMs: number): Promise<ShResult> => {
    const s = await connect(Date.now() + 30_000);
    const id = nextId++;
    return new Promise<ShResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`guest command timed out after ${timeoutMs} ms: ${cmd}`));
      }, timeoutMs + 5_000);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve({ code: r.code, stdout: r.stdout, stderr: r.stderr, ms: r.ms });
      });
      s.write(`${JSON.stringify({ id, cmd, timeoutMs })}\n`);
    });
  };

  const vm: Vm = {
    mqttPort,
    consoleLog,
    get exited() {
      return exited;
    },
    async sh(cmd, o = {}) {
      const r = await request(cmd, o.timeoutMs ?? 60_000);
      if (r.code !== 0 && !o.allowFail) throw new Error(`guest: \`${cmd}\` exited ${r.code}\n${(r.stderr || r.stdout).trim()}`);
      return r;
    },
    async waitForAgent(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!running) throw new Error(`QEMU exited during boot; console:\n${tail(consoleLog, 40)}\n${qemuOutput}`);
        try {
          const r = await Promise.race([request('true', 5_000), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer')), 3_000))]);
          if (r.code === 0) return;
        } catch {
          // not up yet
        }
        if (Date.now() > deadline) throw new Error(`the guest agent did not answer within ${timeoutMs} ms; console:\n${tail(consoleLog, 40)}`);
      }
    },
    async stop(graceMs = 60_000) {
      if (!running) return;
      socket?.write(`${JSON.stringify({ id: 0, cmd: 'systemctl poweroff', timeoutMs: 5_000 })}\n`);
      const timer = setTimeout(() => qemu.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      socket?.destroy();
    },
    async powerCut(bootTimeoutMs = 10 * 60_000) {
      qemu.kill('SIGKILL');
      await exited;
      socket?.destroy();
      socket = undefined;
      buffer = '';
      for (const [id, reply] of waiting) reply({ id, code: -1, stdout: '', stderr: 'power cut', ms: 0 });
      waiting.clear();
      launch();
      await vm.waitForAgent(bootTimeoutMs);
    },
  };
  return vm;
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no console log)';
  }
}
