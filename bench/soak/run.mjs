#!/usr/bin/env node
// Footprint and soak benchmark (issue 22 item 6; not a test, not in npm test). Starts the all-in-one stack
// as `npm start` does (`ledge run --dev`, every app in one process) against a Mosquitto playing the cloud,
// samples its memory while idle, then drives a paced QoS 1 load through the local broker to the connector
// (a local app publishing on `e` and `t`) and samples it for the whole load phase. Prints idle RSS, loaded
// RSS (median / max) and the least-squares slope of RSS and of the V8 heap over the load phase (warm-up
// excluded), each next to a bare `node` process sampled at the same moments (the house rule: a ratio
// against a reference measured in the same run).
//   NX_NO_CLOUD=true NX_DAEMON=false npx nx run-many -t build --outputStyle=static   (builds dist/)
//   node bench/soak/run.mjs                      # one hour at 2,000 msgs/s
//   node bench/soak/run.mjs --duration 600       # a short soak
// Flags: --duration s (load phase, 3600), --rate msgs/s (2000), --idle s (idle phase, 60), --warmup s
// (excluded from the slope, default min(300, duration / 5)), --interval s (sampling, 10), --apps list
// (`ledge run --apps`, default: all), --node-args "…" (V8 flags for the stack, e.g. "--max-semi-space-size=1"),
// --no-load (idle figures only), --csv file (every sample), --bundle file (another build of the ledge bundle, for
// an A/B: default dist/apps/ledge/main.js), --probe (preload bench/soak/probe.cjs: process.memoryUsage() and the V8
// heap spaces per sample, printed as a breakdown; diagnosis only, it adds to what it measures).
// Heap: the stack runs with --trace-gc and the bench reads V8's own "used after GC" from each line (no
// inspector, no code in the stack); the Mark-Compact figures are the ones a leak moves.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { cpuSeconds } from '../cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '3600' },
    rate: { type: 'string', default: '2000' },
    idle: { type: 'string', default: '60' },
    warmup: { type: 'string' },
    interval: { type: 'string', default: '10' },
    apps: { type: 'string' },
    'node-args': { type: 'string', default: '' },
    'no-load': { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
    csv: { type: 'string' },
    bundle: { type: 'string', default: join(root, 'dist/apps/ledge/main.js') },
  },
});
const DURATION = Number(opt.duration);
const RATE = Number(opt.rate);
const IDLE = Number(opt.idle);
const WARMUP = opt.warmup === undefined ? Math.min(300, DURATION / 5) : Number(opt.warmup);
const INTERVAL = Number(opt.interval);
const NODE_ARGS = opt['node-args'].split(' ').filter(Boolean);

const tmp = mkdtempSync(join(tmpdir(), 'ledge-bench-soak-'));
const procs = new Set();
process.on('exit', () => {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }); });
const canConnect = (port) => new Promise((res) => { const s = createConnection({ port, host: '127.0.0.1' }); s.once('connect', () => { s.destroy(); res(true); }); s.once('error', () => res(false)); });
async function until(fn, ms, what) { const end = Date.now() + ms; while (!(await fn())) { if (Date.now() > end) throw new Error(`timeout: ${what}`); await sleep(20); } }

/** Spawns a process; JSON stdout lines go to `lines`, and every line to `onLine`. */
function run(cmd, args, env, onLine = () => undefined) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  procs.add(p);
  const lines = [];
  let buf = '';
  p.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      onLine(line);
      if (line.startsWith('{')) { try { lines.push(JSON.parse(line)); } catch { /* not JSON */ } }
      if (lines.length > 10_000) lines.splice(0, 5_000);
    }
  });
  p.stderr.on('data', () => undefined);
  p.on('exit', () => procs.delete(p));
  return { p, lines, kill: (sig = 'SIGTERM') => new Promise((r) => { if (p.exitCode !== null) return r(); p.once('exit', r); p.kill(sig); }) };
}

/** /proc figures in KiB: VmRSS, and from smaps_rollup the anonymous (private heap, stacks, buffers) part. */
function memOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const rss = kib(status, 'VmRSS');
  const anon = kib(rollup, 'Anonymous');
  return { rss, anon, file: rss - anon };
}

// V8's --trace-gc line: "[pid:0x…]   1234 ms: Scavenge 9.8 (11.0) -> 9.1 (12.0) MB, …" (MB = MiB).
const GC_RE = /(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;
const gc = { last: NaN, lastMajor: NaN, committed: NaN, count: 0, majors: 0 };
const onStackLine = (line) => {
  const m = GC_RE.exec(line);
  if (!m) return;
  gc.count++;
  gc.last = Number(m[4]) * 1024;
  gc.committed = Number(m[5]) * 1024;
  if (m[1] === 'Mark-Compact' || m[1] === 'Mark-sweep') { gc.majors++; gc.lastMajor = Number(m[4]) * 1024; }
};

// The cloud: a plain Mosquitto, anonymous, that never drops (as bench/connector).
const cloudPort = await freePort();
writeFileSync(join(tmp, 'cloud.conf'), `${process.getuid?.() === 0 ? 'user root\n' : ''}listener ${cloudPort} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nmax_inflight_messages 0\n`);
run('mosquitto', ['-c', join(tmp, 'cloud.conf')]);
await until(() => canConnect(cloudPort), 5000, 'cloud mosquitto');
const cloudSub = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloudPort}`, { clean: true });
let delivered = 0;
cloudSub.on('message', () => delivered++);
await cloudSub.subscribeAsync(['event/#', 'telemetry/#'], { qos: 1 });

// The stack, as `npm start` runs it (--dev), with the connector pointed at the cloud.
const brokerPort = await freePort();
const devDir = join(tmp, 'dev');
const probeFile = join(tmp, 'probe.json');
const stack = run(process.execPath, ['--trace-gc', ...(opt.probe ? ['-r', join(root, 'bench/soak/probe.cjs')] : []), ...NODE_ARGS, opt.bundle, 'run', '--dev', '--dev-dir', devDir, ...(opt.apps ? ['--apps', opt.apps] : [])], {
  LEDGE_BROKER_PORT: String(brokerPort),
  LEDGE_SOAK_PROBE_FILE: probeFile,
  LEDGE_CONNECTOR_ADDRESS: `mqtt://127.0.0.1:${cloudPort}`,
  LEDGE_CONNECTOR_DEVICE_ID: 'demo:device',
  LEDGE_CONNECTOR_TENANT_ID: 'demo',
  LEDGE_CONNECTOR_PROVISIONING_FILE: join(tmp, 'none.json'),
}, onStackLine);
const reference = run(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {});
const t0 = performance.now();
await until(() => canConnect(brokerPort), 30_000, 'local broker');
const cpu0 = cpuSeconds(stack.p.pid);
const load0 = loadavg();

const samples = [];
function sample(phase) {
  let probe;
  try { probe = opt.probe ? JSON.parse(readFileSync(probeFile, 'utf8')) : undefined; } catch { probe = undefined; }
  const s = { t: (performance.now() - t0) / 1000, phase, ...memOf(stack.p.pid), heap: gc.last, heapMajor: gc.lastMajor, heapCommitted: gc.committed, ref: memOf(reference.p.pid).rss, cpu: cpuSeconds(stack.p.pid), delivered, probe };
  samples.push(s);
  return s;
}
const log = (msg) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);

// Idle: sample through the idle phase; the figure is the median of its second half (start-up settled).
const idleEnd = performance.now() + IDLE * 1000;
while (performance.now() < idleEnd) { sample('idle'); await sleep(INTERVAL * 1000); }
const idleCpu = cpuSeconds(stack.p.pid) - cpu0;
log(`idle: RSS ${samples.at(-1).rss} KiB, reference ${samples.at(-1).ref} KiB`);

// Load: a local app publishing QoS 1 on `e` and `t` in turn, paced in 10 ms slots.
let sent = 0;
let acked = 0;
let loadStart = NaN;
let loadCpu = NaN;
if (!opt['no-load']) {
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'bench-soak-app' });
  const body = (n) => JSON.stringify({ topic: 'demo/device/things/twin/events/modified', headers: { 'content-type': 'application/json' }, path: '/features/soak/properties/n', value: { n, t: Date.now() } });
  loadStart = performance.now();
  const cpuL0 = cpuSeconds(stack.p.pid);
  const end = loadStart + DURATION * 1000;
  let nextSample = loadStart;
  let nextLog = loadStart + 60_000;
  for (let slot = 0; performance.now() < end; slot++) {
    const due = Math.floor(((slot + 1) * RATE) / 100) - sent;
    for (let i = 0; i < due; i++) { pub.publish(sent % 2 === 0 ? 'e' : 't', body(sent), { qos: 1 }, (err) => { if (!err) acked++; }); sent++; }
    if (performance.now() >= nextSample) { sample('load'); nextSample += INTERVAL * 1000; }
    if (performance.now() >= nextLog) { const s = samples.at(-1); log(`load: sent ${sent}, acked ${acked}, delivered ${delivered}, RSS ${s.rss} KiB, heap ${Math.round(s.heap)} KiB`); nextLog += 60_000; }
    const wait = loadStart + (slot + 1) * 10 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  loadCpu = cpuSeconds(stack.p.pid) - cpuL0;
  await until(() => delivered >= sent, 60_000, 'the cloud received every message').catch((e) => log(e.message));
  sample('drained');
  await pub.endAsync();
}
const load1 = loadavg();

await cloudSub.endAsync();
await stack.kill();
await reference.kill();

// Figures.
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2 : NaN; };
/** Least-squares slope of y over t, in units of y per minute. */
function slope(points) {
  const n = points.length;
  if (n < 3) return NaN;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return (num / den) * 60;
}
const idle = samples.filter((s) => s.phase === 'idle');
const idleTail = idle.slice(Math.floor(idle.length / 2));
const load = samples.filter((s) => s.phase === 'load');
const steady = load.filter((s) => s.t - (loadStart - t0) / 1000 >= WARMUP);
const f = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const mib = (kib) => f(kib / 1024, 1);
const ratio = (a, b) => `${f(a / b, 2)}×`;
const slopeOf = (key, from = steady) => slope(from.filter((s) => Number.isFinite(s[key])).map((s) => ({ t: s.t, y: s[key] })));

const idleRss = median(idleTail.map((s) => s.rss));
const idleRef = median(idleTail.map((s) => s.ref));
console.log(`\n### Footprint and soak (${new Date().toISOString().slice(0, 10)}, ${process.arch}, node ${process.version}${NODE_ARGS.length ? `, ${NODE_ARGS.join(' ')}` : ''})\n`);
console.log(`\`ledge run --dev${opt.apps ? ` --apps ${opt.apps}` : ''}\`, idle ${IDLE} s, then ${opt['no-load'] ? 'no load' : `${f(RATE)} msgs/s QoS 1 on e/t for ${DURATION} s (slope after ${WARMUP} s of warm-up)`}; sampled every ${INTERVAL} s; load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${load1.map((x) => x.toFixed(2)).join(' ')} at end.\n`);
console.log('| measure | stack | bare node (same run) | ratio | goal |');
console.log('|---|---|---|---|---|');
console.log(`| idle RSS, MiB (median of the idle phase's 2nd half) | ${mib(idleRss)} | ${mib(idleRef)} | ${ratio(idleRss, idleRef)} | ≤ 64 |`);
console.log(`| idle anonymous / file-backed RSS, MiB | ${mib(median(idleTail.map((s) => s.anon)))} / ${mib(median(idleTail.map((s) => s.file)))} | | | |`);
console.log(`| idle V8 heap used / committed after the last GC, MiB | ${mib(idleTail.at(-1)?.heap)} / ${mib(idleTail.at(-1)?.heapCommitted)} | | | |`);
console.log(`| idle CPU, % of a core | ${f((idleCpu / IDLE) * 100, 2)} | | | |`);
if (load.length) {
  const loadRss = load.map((s) => s.rss);
  const loadRef = median(load.map((s) => s.ref));
  console.log(`| loaded RSS median / max, MiB | ${mib(median(loadRss))} / ${mib(Math.max(...loadRss))} | ${mib(loadRef)} | ${ratio(median(loadRss), loadRef)} | ≤ 96 |`);
  console.log(`| loaded anonymous RSS median, MiB | ${mib(median(load.map((s) => s.anon)))} | | | |`);
  console.log(`| loaded V8 heap used / committed median, MiB | ${mib(median(load.map((s) => s.heap)))} / ${mib(median(load.map((s) => s.heapCommitted)))} | | | |`);
  console.log(`| RSS slope over the load phase, KiB/min | ${f(slopeOf('rss'), 1)} | ${f(slopeOf('ref'), 1)} | | ~0 |`);
  console.log(`| V8 heap slope (used after every GC), KiB/min | ${f(slopeOf('heap'), 1)} | | | ~0 |`);
  console.log(`| V8 heap slope (after Mark-Compact), KiB/min | ${f(slopeOf('heapMajor'), 1)} | | | ~0 |`);
  console.log(`| stack CPU under load, % of a core (µs per message) | ${f((loadCpu / DURATION) * 100, 1)} (${f((loadCpu * 1e6) / sent, 1)}) | | | |`);
  console.log(`| messages sent / acknowledged / delivered to the cloud | ${f(sent)} / ${f(acked)} / ${f(delivered)} | | | all |`);
  console.log(`| GCs during the run (Mark-Compact) | ${f(gc.count)} (${f(gc.majors)}) | | | |`);
}
// With --probe: where the memory is, idle (last idle sample) and loaded (the load sample of median RSS).
if (opt.probe) {
  const loadMid = [...load].sort((a, b) => a.rss - b.rss)[Math.floor(load.length / 2)];
  const rows = [['idle', idleTail.at(-1)], ['loaded', loadMid]].filter(([, s]) => s?.probe);
  const names = [...new Set(rows.flatMap(([, s]) => Object.keys(s.probe.spaces)))];
  console.log(`\n| MiB (committed / used) | ${rows.map(([n]) => n).join(' | ')} |`);
  console.log(`|---|${rows.map(() => '---|').join('')}`);
  const cell = (b) => mib(b / 1024);
  console.log(`| RSS (probe's own view) | ${rows.map(([, s]) => cell(s.probe.rss)).join(' | ')} |`);
  console.log(`| V8 heap total / used | ${rows.map(([, s]) => `${cell(s.probe.heapTotal)} / ${cell(s.probe.heapUsed)}`).join(' | ')} |`);
  for (const n of names) console.log(`| ${n} | ${rows.map(([, s]) => `${cell(s.probe.spaces[n]?.committed ?? 0)} / ${cell(s.probe.spaces[n]?.used ?? 0)}`).join(' | ')} |`);
  console.log(`| external (of which array buffers) | ${rows.map(([, s]) => `${cell(s.probe.external)} (${cell(s.probe.arrayBuffers)})`).join(' | ')} |`);
  console.log(`| V8 malloced | ${rows.map(([, s]) => cell(s.probe.malloced)).join(' | ')} |`);
}
if (opt.csv) writeFileSync(opt.csv, ['t,phase,rss_kib,anon_kib,file_kib,heap_kib,heap_major_kib,ref_rss_kib,cpu_s,delivered', ...samples.map((s) => [s.t.toFixed(1), s.phase, s.rss, s.anon, s.file, Math.round(s.heap), Math.round(s.heapMajor), s.ref, s.cpu.toFixed(2), s.delivered].join(','))].join('\n') + '\n');
process.exit(0);
