// The Metrics feature on a fake local bus with a fake /proc source and fake time: Kanto's
// request/data contract, boot-time reporting from config, refusals, and the reporter's skip rules.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createFakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import type { ProcessCounters } from '@ledge/system-metrics/model-metrics';
import { ConfigError, prepareConfig, type Scheduler } from '@ledge/shared/util';
import { captureLogger, createFakeTime } from '@ledge/shared/util/testing';
import type { MetricsSource } from './reporter';
import { createReporter } from './reporter';
import { createSystemMetrics, systemMetricsEntry, type SystemMetricsConfig } from './system-metrics';

const ID = '{"deviceId":"demo:gw","tenantId":"demo"}';

/** A /proc whose counters advance by a fixed step per read: 25 % busy, 0.5 % of memory per process. */
function fakeSource(): MetricsSource & { reads: number; fail: boolean } {
  let n = 0;
  const src = {
    reads: 0,
    fail: false,
    async cpu() {
      src.reads++;
      if (src.fail) throw new Error('EIO');
      n++;
      return { total: 1000 * n, idle: 750 * n };
    },
    async load() {
      return { load1: 0.5, load5: 0.25, load15: 0.125 };
    },
    async memory() {
      return { totalBytes: 1000, availableBytes: 600, usedBytes: 400 };
    },
    async processesNamed(names: readonly string[]) {
      const out = new Map<string, ProcessCounters>();
      if (names.includes('node')) out.set('node', { pid: 7, cpuTicks: 100 * n, rssBytes: 5, readBytes: 1, writeBytes: 2 });
      return out;
    },
  };
  return src;
}

/** Fake time whose scheduler remembers the interval of the last loop started; tick() moves time by it. */
function fakeTime() {
  const time = createFakeTime();
  let lastMs = 0;
  const scheduler: Scheduler = { ...time.scheduler, setInterval: (fn, ms) => ((lastMs = ms), time.scheduler.setInterval(fn, ms)) };
  return {
    scheduler,
    get lastMs() {
      return lastMs;
    },
    /** Loops running. */
    get active() {
      return time.pending();
    },
    tick: () => time.advance(lastMs),
  };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

async function setup(t: TestContext, configOverrides: Record<string, string> = {}) {
  const bus = createFakeLocalBus();
  const log = captureLogger('test', 'debug');
  const client = bus.createClient({ clientId: 'metrics', logger: log.logger });
  await client.start();
  const config = prepareConfig(systemMetricsEntry, { env: configOverrides, configDir: '/nonexistent' }).config as SystemMetricsConfig;
  const source = fakeSource();
  const time = fakeTime();
  let mono = 0;
  const app = createSystemMetrics(config, { logger: log.logger, bus: client, source, scheduler: time.scheduler, clock: { now: () => 1_765_098_000_000, monotonic: () => (mono += 1000) } });
  t.after(async () => {
    await app.close();
    await client.close();
  });
  await app.start();
  bus.inject('edge/thing/response', ID);
  await bus.idle();
  const events = () =>
    bus.published.filter((p) => p.clientId === 'metrics' && (p.topic === 'e' || p.topic === 'event')).map((p) => JSON.parse(p.payload.toString()) as { topic: string; path: string; value: unknown; headers: Record<string, unknown> });
  const data = () => events().filter((e) => e.path === '/features/Metrics/outbox/messages/data');
  const responses = () => bus.published.filter((p) => p.clientId === 'metrics' && p.topic.startsWith('command///res/')).map((p) => ({ topic: p.topic, env: JSON.parse(p.payload.toString()) as { status: number; value?: { error?: string; message?: string } } }));
  const request = async (value: unknown, reqId = 'r1', cid = 'cid-1') => {
    bus.inject(
      `command///req/${reqId}/request`,
      JSON.stringify({ topic: 'demo/gw/things/live/messages/request', headers: { 'correlation-id': cid, 'response-required': true }, path: '/features/Metrics/inbox/messages/request', value }),
    );
    await bus.idle();
  };
  return { bus, source, time, events, data, responses, request };
}

describe('system metrics: the Metrics feature', () => {
  it('registers the feature with Kanto\'s definition once the thing is known; nothing reported by default', async (t) => {
    const s = await setup(t);
    const reg = s.events().find((e) => e.path === '/features/Metrics');
    assert.ok(reg, 'feature modify');
    assert.deepEqual(reg.value, { definition: ['com.bosch.iot.suite.edge.metric:Metrics:1.0.0'], properties: { request: { frequency: '0s', filter: [] } } });
    assert.equal(s.time.active, 0, 'Kanto: off until a request');
  });

  it('request → 204, then one data message per tick with the asked-for measurements and the request\'s correlation-id', async (t) => {
    const s = await setup(t);
    await s.request({ frequency: '2s', filter: [{ id: ['cpu.utilization', 'cpu.load1'], originator: 'SYSTEM' }, { id: ['cpu.*', 'io.*'], originator: 'node' }] });
    assert.deepEqual(s.responses().map((r) => [r.topic, r.env.status]), [['command///res/r1/204', 204]]);
    assert.equal(s.time.lastMs, 2000);
    await s.time.tick();
    await s.bus.idle();
    const [d] = s.data();
    assert.ok(d, 'a data message');
    assert.equal(d.topic, 'demo/gw/things/live/messages/data');
    assert.equal(d.headers['correlation-id'], 'cid-1');
    assert.deepEqual(d.value, {
      timestamp: 1_765_098_000,
      snapshot: [
        { originator: 'SYSTEM', measurements: [{ id: 'cpu.utilization', value: 25 }, { id: 'cpu.load1', value: 0.5 }] },
        { originator: 'node', measurements: [{ id: 'cpu.utilization', value: 100 }, { id: 'io.readBytes', value: 1 }, { id: 'io.writeBytes', value: 2 }] },
      ],
    });
    assert.deepEqual(s.events().filter((e) => e.path === '/features/Metrics/properties/request').at(-1)?.value, {
      frequency: '2s',
      filter: [{ id: ['cpu.utilization', 'cpu.load1'], originator: 'SYSTEM' }, { id: ['cpu.*', 'io.*'], originator: 'node' }],
    });
  });

  it('a new request replaces the running one; frequency 0 stops', async (t) => {
    const s = await setup(t);
    await s.request({ frequency: 5 });
    assert.equal(s.time.active, 1);
    await s.request({ frequency: '1m' }, 'r2');
    assert.equal(s.time.active, 1, 'one loop');
    assert.equal(s.time.lastMs, 60_000);
    await s.request({ frequency: 0 }, 'r3');
    assert.equal(s.time.active, 0);
    assert.deepEqual(s.responses().map((r) => r.env.status), [204, 204, 204]);
  });

  it('a malformed request gets 400 messages:parameter.invalid naming the field and leaves reporting as it was', async (t) => {
    const s = await setup(t);
    await s.request({ frequency: '5s' });
    await s.request({ frequency: '5 seconds' }, 'r2');
    await s.request({ frequency: '1s', filter: [{ id: 'cpu.*' }] }, 'r3');
    await s.request('soon', 'r4');
    const bad = s.responses().slice(1);
    assert.deepEqual(bad.map((r) => [r.env.status, r.env.value?.error]), [[400, 'messages:parameter.invalid'], [400, 'messages:parameter.invalid'], [400, 'messages:parameter.invalid']]);
    assert.match(bad[0]!.env.value!.message!, /frequency/);
    assert.match(bad[1]!.env.value!.message!, /filter\[0\]\.id/);
    assert.equal(s.time.active, 1);
    assert.equal(s.time.lastMs, 5000, 'the 5 s request still runs');
  });

  it('starts the config\'s reporting once the thing is known', async (t) => {
    const s = await setup(t, { LEDGE_SYSTEM_METRICS_FREQUENCY: '10s', LEDGE_SYSTEM_METRICS_FILTER: '[{"id":["memory.*"]}]' });
    assert.equal(s.time.active, 1);
    assert.equal(s.time.lastMs, 10_000);
    await s.time.tick();
    await s.bus.idle();
    const ids = (s.data()[0]?.value as { snapshot: { measurements: { id: string }[] }[] }).snapshot[0]!.measurements.map((m) => m.id);
    assert.deepEqual(ids, ['memory.total', 'memory.available', 'memory.used', 'memory.utilization']);
  });

  it('refuses a bad config with exit code 2 naming the key', () => {
    for (const [env, re] of [
      [{ LEDGE_SYSTEM_METRICS_FREQUENCY: 'often' }, /frequency/],
      [{ LEDGE_SYSTEM_METRICS_FREQUENCY: '100ms' }, /frequency/],
      [{ LEDGE_SYSTEM_METRICS_FILTER: '{"id":1}' }, /filter/],
    ] as const) {
      assert.throws(() => prepareConfig(systemMetricsEntry, { env, configDir: '/nonexistent' }), (e) => e instanceof ConfigError && re.test(e.message), JSON.stringify(env));
    }
  });
});

describe('system metrics: the reporter', () => {
  const request = { frequencyMs: 1000, filters: [{ ids: ['cpu.utilization'], originator: 'SYSTEM' }] };

  it('skips a tick while the previous sample is still being read, and reports read failures once a minute', async () => {
    const source = fakeSource();
    let release!: () => void;
    const slow: MetricsSource = { ...source, cpu: async () => (source.reads > 0 ? new Promise<{ total: number; idle: number }>((r) => (release = () => r({ total: 4000, idle: 3000 }))) : (source.reads++, { total: 1000, idle: 750 })) };
    const time = fakeTime();
    const sent: unknown[] = [];
    const log = captureLogger('test', 'debug');
    const reporter = createReporter({ source: slow, send: async (d) => void sent.push(d), scheduler: time.scheduler, clockTicks: 100, logger: log.logger });
    await reporter.set(request);
    await time.tick();
    await time.tick();
    assert.equal(reporter.counters.skipped, 1, 'the second tick found the first still reading');
    release();
    await settle();
    assert.equal(sent.length, 1);
    await reporter.close();

    const failing = fakeSource();
    const r2 = createReporter({ source: failing, send: async () => undefined, scheduler: time.scheduler, clockTicks: 100, logger: log.logger });
    await r2.set(request);
    failing.fail = true;
    for (let i = 0; i < 5; i++) {
      await time.tick();
      await settle();
    }
    assert.equal(r2.counters.failed, 5);
    assert.equal(log.lines.filter((l) => l['msg'] === 'cannot read the measurements; this report is skipped').length, 1, 'logged once, counted always');
    await r2.close();
    assert.equal(time.active, 0, 'close cancels the loop');
  });
});

describe('system metrics: the Prometheus endpoint', () => {
  it('off by default; with `prometheus` set serves /metrics with the figures and what the bus says about Ledge', async (t) => {
    const bus = createFakeLocalBus();
    const log = captureLogger('test', 'debug');
    const client = bus.createClient({ clientId: 'metrics', logger: log.logger });
    await client.start();
    const config = prepareConfig(systemMetricsEntry, { env: { LEDGE_SYSTEM_METRICS_PROMETHEUS: '127.0.0.1:0' }, configDir: '/nonexistent' }).config as SystemMetricsConfig;
    let address: { host: string; port: number } | undefined;
    const app = createSystemMetrics(config, { logger: log.logger, bus: client, source: fakeSource(), onPrometheus: (a) => (address = a) });
    t.after(async () => {
      await app.close();
      await client.close();
    });
    await app.start();
    assert.ok(address && address.host === '127.0.0.1' && address.port > 0, JSON.stringify(address));
    bus.inject('edge/health/broker', JSON.stringify({ status: 'up', pid: 1, version: '1.0.0', since: 1_765_000_000, stats: { clients: 4, sessions: 1, queued: 9 } }), { retain: true, qos: 1 });
    bus.inject('edge/health/connector', JSON.stringify({ status: 'down', pid: 2, version: '1.0.0', since: 1_765_000_100, reason: 'lost' }), { retain: true, qos: 1 });
    bus.inject('edge/health/file-upload', 'not json', { retain: true, qos: 1 });
    bus.inject('edge/connection/remote/status', JSON.stringify({ connected: false, timestamp: 1_765_000_100, cause: 'CONNECTION_ERROR', outbox: { depth: 12, oldestAgeMs: 30_000 } }), { retain: true, qos: 1 });
    await bus.flush();
    const url = `http://127.0.0.1:${address.port}`;
    const first = await fetch(`${url}/metrics`);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const second = await (await fetch(`${url}/metrics`)).text();
    for (const want of [
      'ledge_system_cpu_utilization_percent 25',
      'ledge_system_memory_total_bytes 1000',
      'ledge_app_up{app="broker"} 1',
      'ledge_app_up{app="connector"} 0',
      'ledge_app_stat{app="broker",stat="queued"} 9',
      'ledge_cloud_connected 0',
      'ledge_outbox_depth 12',
    ]) assert.ok(second.split('\n').includes(want), `${want} in:\n${second}`);
    assert.ok(!second.includes('file-upload'), 'a malformed health message is ignored');
    assert.equal((await fetch(`${url}/`)).status, 404);
    assert.equal((await fetch(`${url}/metrics`, { method: 'POST', body: 'x' })).status, 405);
    const off = prepareConfig(systemMetricsEntry, { env: {}, configDir: '/nonexistent' }).config;
    assert.equal(off.prometheus, '', 'off unless configured');
  });
});
