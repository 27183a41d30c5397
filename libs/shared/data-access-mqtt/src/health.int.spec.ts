// Health reporting against Mosquitto (Kanto's broker; the Ledge broker runs it in the whole-stack suite):
// up on connect and on request, down 'stopped' on a clean close, and down 'lost' from the will when the
// process hangs (no PINGREQ: the broker gives up after 1.5 × the keepalive) or is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { connectAsync } from 'mqtt';
import { captureLogger, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { createServer, type AddressInfo } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { createHealthReporter, STOP_REPORT_MS } from './health';
import { findMosquitto, startMosquitto } from './testing/mosquitto';

const missing = findMosquitto() === undefined;
const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', missing);

interface Seen {
  status: string;
  pid: number;
  reason?: string;
  since: number;
}

async function watch(t: TestContext, url: string, app: string) {
  const c = await connectAsync(url, { clientId: `watch-${app}`, reconnectPeriod: 0 });
  t.after(() => c.endAsync(true));
  const seen: Seen[] = [];
  c.on('message', (topic, payload) => topic === `edge/health/${app}` && payload.length > 0 && seen.push(JSON.parse(payload.toString()) as Seen));
  await c.subscribeAsync(`edge/health/${app}`, { qos: 1 });
  return { c, seen };
}

describe('health reporter', { skip }, () => {
  it('publishes up (retained) on connect and on request, down stopped on close', async (t) => {
    assert.equal(missing, false, 'mosquitto is needed');
    const broker = await startMosquitto(t);
    const log = captureLogger();
    const reporter = createHealthReporter({ app: 'demo-app', bus: { url: broker.url }, version: '1.2.3', pid: 4242, now: () => 1_796_000_000_000, logger: log.logger });
    t.after(() => reporter.close());
    await reporter.start();
    const { c, seen } = await watch(t, broker.url, 'demo-app');
    await waitFor(() => seen.length >= 1, 5_000, 'the retained up');
    assert.deepEqual(seen[0], { status: 'up', pid: 4242, version: '1.2.3', since: 1_796_000_000 });
    await c.publishAsync('edge/health/request', '', { qos: 0 });
    await waitFor(() => seen.length >= 2, 5_000, 'up again on request');
    await reporter.close();
    await waitFor(() => seen.length >= 3, 5_000, 'down on close');
    assert.deepEqual(seen[2], { status: 'down', pid: 4242, version: '1.2.3', since: 1_796_000_000, reason: 'stopped' });
    // retained: a late subscriber learns the app is down
    const late = await watch(t, broker.url, 'demo-app');
    await waitFor(() => late.seen.length >= 1, 5_000, 'the retained down');
    assert.equal(late.seen[0]!.reason, 'stopped');
  });

  it('a clean stop waits for the broker to take its down at most STOP_REPORT_MS (a broker that never PUBACKs)', async (t) => {
    // a broker stand-in: CONNACK, SUBACK, and no PUBACK ever
    const server = createServer((sock) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p: mqttPacket.Packet) => {
        if (p.cmd === 'connect') sock.write(mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
        else if (p.cmd === 'subscribe') sock.write(mqttPacket.generate({ cmd: 'suback', messageId: p.messageId!, granted: p.subscriptions.map(() => 0) }));
        else if (p.cmd === 'pingreq') sock.write(mqttPacket.generate({ cmd: 'pingresp' }));
      });
      sock.on('data', (d: Buffer) => parser.parse(d));
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    t.after(() => new Promise<void>((r) => server.close(() => r())));
    server.unref();
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reporter = createHealthReporter({ app: 'mute-broker', bus: { url }, version: 'test', logger: captureLogger().logger });
    await reporter.start();
    await reporter.bus.waitForConnection();
    const t0 = Date.now();
    await reporter.close();
    const ms = Date.now() - t0;
    assert.ok(ms >= STOP_REPORT_MS - 50 && ms < STOP_REPORT_MS + 6_000, `close took ${ms} ms`);
  });

  for (const how of ['hangs', 'is killed'] as const) {
    it(`publishes down lost from the will when the process ${how}`, async (t) => {
      assert.equal(missing, false, 'mosquitto is needed');
      const broker = await startMosquitto(t);
      const app = how === 'hangs' ? 'hung-app' : 'killed-app';
      const { seen } = await watch(t, broker.url, app);
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./testing/health-child.ts', import.meta.url)), broker.url, app, '1'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const exited = new Promise((r) => child.once('exit', r));
      t.after(async () => {
        child.kill('SIGKILL');
        await exited;
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(() => seen.some((h) => h.status === 'up'), 20_000, 'the child up');
      const up = seen.find((h) => h.status === 'up')!;
      assert.equal(up.pid, child.pid);
      const t0 = Date.now();
      if (how === 'hangs') {
        child.stdin.write('hang\n');
        await waitFor(() => out.includes('hanging'), 5_000, 'the child hanging');
      } else child.kill('SIGKILL');
      const down = await waitFor(() => seen.find((h) => h.status === 'down'), 10_000, 'down from the will');
      assert.deepEqual({ ...down }, { status: 'down', pid: child.pid, version: 'test', since: up.since, reason: 'lost' });
      // keepalive 1 s: the broker gives up after 1.5 s without a packet (a killed process: at once)
      assert.ok(Date.now() - t0 < 8_000, `down after ${Date.now() - t0} ms`);
    });
  }
});
