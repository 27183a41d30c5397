// Checks the QEMU scenarios make of the guest: systemd unit state, dpkg's view of the Ledge packages,
// files, and MQTT clients on the host that reach the guest's broker through the forwarded port.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Vm } from './vm';

export async function show(vm: Vm, unit: string, prop: string): Promise<string> {
  return (await vm.sh(`systemctl show -p ${prop} --value ${unit}`)).stdout.trim();
}

export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function isActive(vm: Vm, unit: string): Promise<boolean> {
  return (await vm.sh(`systemctl is-active ${unit}`, { allowFail: true })).stdout.trim() === 'active';
}

/** The Ledge packages dpkg has files of (status not "not-installed"): name → db:Status-Abbrev ("ii", "rc", …). */
export async function ledgePackages(vm: Vm): Promise<Map<string, string>> {
  const out = (await vm.sh("dpkg-query -W -f '${db:Status-Abbrev} ${Package}\\n' 'ledge' 'ledge-*'", { allowFail: true })).stdout;
  const known = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\S+)$/.exec(line.trim());
    // Abbrev = desired action + status; status n (not-installed: "un", "rn", "pn") means nothing left.
    if (m && m[1]![1] !== 'n') known.set(m[2]!, m[1]!);
  }
  return known;
}

export async function exists(vm: Vm, path: string): Promise<boolean> {
  return (await vm.sh(`test -e ${path}`, { allowFail: true })).code === 0;
}

/** Every unit inactive (unknown once its file is gone), its file removed, no process left running a bundle. */
export async function assertStopped(vm: Vm, units: readonly string[]): Promise<void> {
  for (const unit of units) {
    const state = (await vm.sh(`systemctl is-active ${unit}`, { allowFail: true })).stdout.trim();
    assert.match(state, /^(inactive|unknown)$/, `${unit} stopped on removal (is-active: ${state})`);
    assert.equal(await exists(vm, `/usr/lib/systemd/system/${unit}`), false, `${unit}: unit file removed`);
  }
  // [l]: the grep's own command line does not match itself.
  const running = (await vm.sh("grep -ls '/usr/lib/[l]edge/' /proc/[0-9]*/cmdline", { allowFail: true })).stdout.trim();
  assert.equal(running, '', `no process runs a Ledge bundle after removal: ${running}`);
}

/** Rejects when `p` has not settled within `ms`: a hung step fails with its name instead of the test timeout. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: nothing within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * A client on the host, through QEMU's port forward and the guest's proxy, to the broker on 127.0.0.1.
 * While the broker is down the proxy accepts and then closes the connection: that is a failed connect
 * here (MQTT.js's connectAsync would wait forever for a CONNACK when reconnecting is off).
 */
export async function client(vm: Vm, id: string): Promise<MqttClient> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${vm.mqttPort}`, { clientId: `ledge-e2e-${id}-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0, connectTimeout: 15_000 });
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        c.once('connect', () => resolve());
        c.once('error', reject);
        c.once('close', () => reject(new Error('connection closed before CONNACK')));
      }),
      20_000,
      'MQTT connect',
    );
    return c;
  } catch (err) {
    c.end(true);
    throw err;
  }
}

export async function close(c: MqttClient): Promise<void> {
  await within(c.endAsync(), 10_000, 'MQTT disconnect').catch(() => c.end(true));
}

/** Waits until the broker accepts MQTT connections through the forwarded port. */
export async function brokerAnswers(vm: Vm, timeoutMs: number): Promise<number> {
  return waitFor('the broker to accept MQTT connections', timeoutMs, async () => {
    try {
      await close(await client(vm, 'probe'));
      return true;
    } catch {
      return false;
    }
  });
}

export async function roundTrip(vm: Vm, topic: string): Promise<number> {
  const sub = await client(vm, 'sub');
  const pub = await client(vm, 'pub');
  try {
    await within(sub.subscribeAsync(topic, { qos: 1 }), 15_000, 'SUBACK');
    const payload = randomUUID();
    const started = Date.now();
    const received = new Promise<string>((resolve) => sub.on('message', (t, p) => t === topic && resolve(p.toString())));
    await within(pub.publishAsync(topic, payload, { qos: 1 }), 15_000, 'PUBACK');
    assert.equal(await within(received, 15_000, `message on ${topic}`), payload);
    return Date.now() - started;
  } finally {
    await Promise.allSettled([close(sub), close(pub)]);
  }
}

export interface HealthSeen {
  status: string;
  pid: number;
  reason?: string;
  /** Not a retained copy: published while the watcher listened. */
  live: boolean;
}

/** Every edge/health/<app> the broker delivers, from the host; `live(pid)` waits for a fresh `up` of that process. */
export async function watchHealth(vm: Vm, app: string): Promise<{ seen: HealthSeen[]; live(pid: string, timeoutMs: number): Promise<number>; close(): Promise<void> }> {
  const seen: HealthSeen[] = [];
  const c = await client(vm, `health-${app}`);
  c.on('message', (topic, payload, packet) => {
    if (topic === `edge/health/${app}` && payload.length > 0) seen.push({ ...(JSON.parse(payload.toString()) as { status: string; pid: number }), live: !packet.retain });
  });
  await within(c.subscribeAsync(`edge/health/${app}`, { qos: 1 }), 15_000, 'SUBACK');
  return {
    seen,
    // The retained "up" may be older than the app's current connection (it outlives a broker crash): only a
    // live answer to a health request shows that the app's health connection, and so its will, is on the
    // broker now.
    live: (pid, timeoutMs) =>
      waitFor(`${app} (pid ${pid}) answering health requests`, timeoutMs, async () => {
        await c.publishAsync('edge/health/request', '', { qos: 0 });
        await new Promise((r) => setTimeout(r, 300));
        return seen.some((h) => h.live && h.status === 'up' && String(h.pid) === pid);
      }),
    close: () => close(c),
  };
}
