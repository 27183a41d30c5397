#!/usr/bin/env node
// Connector benchmark (not a test): prints a Markdown table of ratios measured in the same run.
//   node tools/build-app.mjs broker && node tools/build-app.mjs connector && node bench/connector/run.mjs
// Env: BENCH_MESSAGES (throughput run, default 20000), BENCH_OUTBOX (offline run, default 200000; 0 skips it),
// BENCH_CONNECTOR_NODE_ARGS / BENCH_BROKER_NODE_ARGS (extra node flags for that process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
// BENCH_CONNECTOR_ARGS (extra connector flags, e.g. `--outboxFsync never` to see what durability costs).
// Reference: MQTT.js publishing directly to the same cloud Mosquitto.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { cpuSeconds } from '../cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const OUTBOX_N = Number(process.env.BENCH_OUTBOX ?? 200_000);
const LAT_N = 2_000;
const CONNECTOR_NODE_ARGS = (process.env.BENCH_CONNECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
const BROKER_NODE_ARGS = (process.env.BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CONNECTOR_ARGS = (process.env.BENCH_CONNECTOR_ARGS ?? '').split(' ').filter(Boolean);
const tmp = mkdtempSync(join(tmpdir(), 'ledge-bench-connector-'));
const procs = new Set();
const cleanup = () => {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }); });
const canConnect = (port) => new Promise((res) => { const s = createConnection({ port, host: '127.0.0.1' }); s.once('connect', () => { s.destroy(); res(true); }); s.once('error', () => res(false)); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, ms, what) { const end = Date.now() + ms; while (!(await fn())) { if (Date.now() > end) throw new Error(`timeout: ${what}`); await sleep(5); } }

function run(cmd, args) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.add(p);
  const lines = [];
  let buf = '';
  p.stdout.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { try { lines.push(JSON.parse(buf.slice(0, i))); } catch { /* not JSON */ } buf = buf.slice(i + 1); } });
  p.stderr.on('data', () => undefined);
  p.on('exit', () => procs.delete(p));
  return { p, lines, kill: (sig = 'SIGTERM') => new Promise((r) => { if (p.exitCode !== null) return r(); p.once('exit', r); p.kill(sig); }) };
}

async function mosquitto(port) {
  const conf = join(tmp, `mosq-${port}.conf`);
  writeFileSync(conf, `${process.getuid?.() === 0 ? 'user root\n' : ''}listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nmax_inflight_messages 0\n`);
  const m = run('mosquitto', ['-c', conf]);
  await until(() => canConnect(port), 5000, 'mosquitto');
  return m;
}

const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN; };
const payload = (n) => JSON.stringify({ topic: 'demo/device/things/twin/commands/modify', headers: {}, path: '/attributes/n', value: { n, t: performance.timeOrigin + performance.now() } });

async function subscriber(port) {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clean: true });
  const got = { count: 0, first: 0, last: 0, lat: [], marks: new Map() };
  c.on('message', (_t, p) => {
    const now = performance.timeOrigin + performance.now();
    const v = JSON.parse(p.toString()).value;
    if (got.count === 0) got.first = now;
    got.count++;
    got.last = now;
    got.lat.push(now - v.t);
    if (v.mark) got.marks.set(v.mark, now);
  });
  await c.subscribeAsync('event/#', { qos: 1 });
  return { c, got };
}

/** `procs`: {name: pid} whose CPU time per message is reported for the throughput run. */
async function throughput(pubPort, topic, sub, procs) {
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${pubPort}`);
  const start0 = sub.got.count;
  const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const t0 = performance.now();
  const batch = [];
  for (let n = 0; n < N; n++) {
    batch.push(pub.publishAsync(topic, payload(n), { qos: 1 }));
    if (batch.length >= 1000) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  await until(() => sub.got.count - start0 >= N, 60_000, 'throughput delivery');
  const rate = N / ((performance.now() - t0) / 1000);
  const cpuUs = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, ((cpuSeconds(pid) - cpu0[k]) * 1e6) / N]));
  // Latency at a moderate rate (one message every 2 ms), separately from the throughput run.
  sub.got.lat = [];
  for (let n = 0; n < LAT_N; n++) {
    pub.publish(topic, payload(n), { qos: 1 });
    await sleep(2);
  }
  await until(() => sub.got.lat.length >= LAT_N, 30_000, 'latency delivery');
  await pub.endAsync();
  return { rate, cpuUs, p50: pct(sub.got.lat, 0.5), p99: pct(sub.got.lat, 0.99) };
}

const cloudPort = await freePort();
let cloud = await mosquitto(cloudPort);
const sub = await subscriber(cloudPort);
const direct = await throughput(cloudPort, 'event/demo/demo:device', sub, { 'bench (publisher + cloud subscriber)': process.pid, 'cloud Mosquitto': cloud.p.pid });

const localPort = await freePort();
const brokerDir = join(tmp, 'broker');
const broker = run(process.execPath, [...BROKER_NODE_ARGS, join(root, 'dist/apps/broker/main.js'), '--port', String(localPort), '--dataDir', brokerDir, '--maxQueuedMessages', String(Math.max(OUTBOX_N, N) * 2), '--maxQueuedBytes', String(1024 ** 3)]);
await until(() => broker.lines.some((l) => l.msg === 'listening'), 10_000, 'broker');
const connDir = join(tmp, 'connector');
const connector = run(process.execPath, [...CONNECTOR_NODE_ARGS, join(root, 'dist/apps/connector/main.js'),
  '--address', `mqtt://127.0.0.1:${cloudPort}`, '--deviceId', 'demo:device', '--tenantId', 'demo', '--localAddress', `tcp://127.0.0.1:${localPort}`,
  '--dataDir', connDir, '--provisioningFile', join(tmp, 'none.json'), '--replayRate', '0', '--backoffInitial', '0.05', '--backoffMax', '0.1',
  '--outboxMaxMessages', String(Math.max(OUTBOX_N, N) * 2), '--outboxMaxBytes', String(1024 ** 3), '--statusInterval', '0.2', ...CONNECTOR_ARGS]);
await until(() => connector.lines.some((l) => l.msg === 'draining outbox'), 10_000, 'connector connected');
const via = await throughput(localPort, 'e', sub, { 'bench (publisher + cloud subscriber)': process.pid, 'cloud Mosquitto': cloud.p.pid, 'Ledge broker': broker.p.pid, 'Ledge connector': connector.p.pid });

const f = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const printThroughput = () => {
  console.log(`\n### Connector (${new Date().toISOString().slice(0, 10)}, ${process.arch}, node ${process.version})\n`);
  console.log('| measure | value | goal |');
  console.log('|---|---|---|');
  console.log(`| local→cloud QoS 1 events/s via Ledge broker + connector | ${f(via.rate)} | |`);
  console.log(`| MQTT.js directly to the cloud Mosquitto, events/s | ${f(direct.rate)} | |`);
  console.log(`| ratio connector / direct | ${f(via.rate / direct.rate, 2)}× | ≥ 0.8× |`);
  console.log(`| latency p50 / p99, direct (ms) | ${f(direct.p50, 2)} / ${f(direct.p99, 2)} | |`);
  console.log(`| latency p50 / p99, via broker + connector (ms) | ${f(via.p50, 2)} / ${f(via.p99, 2)} | |`);
  console.log(`| added latency p50 / p99 (ms) | ${f(via.p50 - direct.p50, 2)} / ${f(via.p99 - direct.p99, 2)} | p99 < 5 |`);
  // Where the CPU goes: each process's CPU time per message in the two throughput runs, and the rate
  // that CPU alone allows (all cores shared: cores / Σ; one core per process: 1 / the busiest one).
  console.log('\n| CPU µs per message | direct | via broker + connector |');
  console.log('|---|---|---|');
  for (const k of Object.keys(via.cpuUs)) console.log(`| ${k} | ${direct.cpuUs[k] === undefined ? '' : f(direct.cpuUs[k], 1)} | ${f(via.cpuUs[k], 1)} |`);
  const bound = (c) => {
    const v = Object.values(c);
    return { shared: (cores * 1e6) / v.reduce((a, b) => a + b, 0), perCore: 1e6 / Math.max(...v) };
  };
  const bd = bound(direct.cpuUs);
  const bv = bound(via.cpuUs);
  console.log(`| sum | ${f(Object.values(direct.cpuUs).reduce((a, b) => a + b, 0), 1)} | ${f(Object.values(via.cpuUs).reduce((a, b) => a + b, 0), 1)} |`);
  console.log(`| events/s the CPU allows on these ${cores} cores (cores / sum) | ${f(bd.shared)} | ${f(bv.shared)} (${f(bv.shared / bd.shared, 2)}×) |`);
  console.log(`| events/s with a core per process (1 / busiest) | ${f(bd.perCore)} | ${f(bv.perCore)} (${f(bv.perCore / bd.perCore, 2)}×) |`);
};
const cores = availableParallelism();
if (OUTBOX_N === 0) {
  printThroughput();
  await sub.c.endAsync();
  await connector.kill();
  await broker.kill();
  await cloud.kill();
  process.exit(0);
}

// Offline: the cloud goes down, OUTBOX_N messages are buffered, then it comes back.
await cloud.kill('SIGKILL');
await until(() => connector.lines.some((l) => l.msg === 'cloud connection lost'), 10_000, 'connector offline');
const status = await mqtt.connectAsync(`mqtt://127.0.0.1:${localPort}`);
let depth = 0;
status.on('message', (_t, p) => { if (p.length) depth = JSON.parse(p.toString()).outbox?.depth ?? depth; });
await status.subscribeAsync('edge/connection/remote/status', { qos: 1 });
const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${localPort}`);
const w0 = performance.now();
const batch = [];
for (let n = 0; n < OUTBOX_N; n++) {
  batch.push(pub.publishAsync('e', payload(n), { qos: 1 }));
  if (batch.length >= 2000) await Promise.all(batch.splice(0));
}
await Promise.all(batch);
await until(() => depth >= OUTBOX_N, 300_000, 'outbox filled');
const writeRate = OUTBOX_N / ((performance.now() - w0) / 1000);
const diskBytes = Number(execFileSync('du', ['-sb', join(connDir, 'outbox')]).toString().split('\t')[0]);

cloud = await mosquitto(cloudPort);
const sub2 = await subscriber(cloudPort);
await until(() => sub2.got.count > 0, 30_000, 'drain started');
const live0 = performance.now();
pub.publish('e', JSON.stringify({ topic: 'x/y/things/twin/commands/modify', headers: {}, path: '/a', value: { n: -1, t: 0, mark: 'live' } }), { qos: 1 });
await until(() => sub2.got.marks.has('live'), 30_000, 'live message');
const liveLatency = sub2.got.marks.get('live') - (performance.timeOrigin + live0);
await until(() => sub2.got.count >= OUTBOX_N + 1, 300_000, 'drained');
const drainRate = OUTBOX_N / ((sub2.got.last - sub2.got.first) / 1000);

await Promise.all([pub.endAsync(), status.endAsync(), sub.c.endAsync(), sub2.c.endAsync()]);
await connector.kill();
await broker.kill();
await cloud.kill();

printThroughput();
console.log(`| outbox: messages buffered offline | ${f(OUTBOX_N)} | 1,000,000 (BENCH_OUTBOX) |`);
console.log(`| outbox write rate (through the Ledge broker), msg/s | ${f(writeRate)} | |`);
console.log(`| outbox disk bytes per message (${f(Buffer.byteLength(payload(1)))} B payload + topic) | ${f(diskBytes / OUTBOX_N, 1)} | |`);
console.log(`| drain rate after reconnect, msg/s | ${f(drainRate)} | ≥ 10,000 |`);
console.log(`| time to first live message while draining (ms) | ${f(liveLatency, 1)} | < 1000 |`);
process.exit(0);
