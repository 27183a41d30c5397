#!/usr/bin/env node
// bench/system-metrics: what reporting every second costs (issue 19 goal: < 1 % of one core). The
// system-metrics bundle runs against a Ledge broker with a stand-in identity; its CPU time (from /proc)
// over a window is measured twice in the same run, alternating: reporting at 1 s with every SYSTEM
// measurement and three process originators (node, one absent, so every pid is scanned), and idle
// (frequency 0, the reference). Prints the cost above idle as a share of one core and its ratio to the
// 1 % budget, median and range over BENCH_ROUNDS (default 3). Not a test: it asserts nothing.
// Usage: node bench/system-metrics/run.mjs [--window-s 30]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { cpuSeconds } from '../cpu.mjs';

const root = new URL('../..', import.meta.url).pathname;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const wi = process.argv.indexOf('--window-s');
const windowS = wi > 0 ? Number(process.argv[wi + 1]) : 30;
const tmp = mkdtempSync(join(tmpdir(), 'ledge-bench-metrics-'));
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(bundle, args, env = {}) {
  const child = spawn(process.execPath, [join(root, 'dist/apps', bundle, 'main.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitFor(what, cond, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = cond();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const emptyConfig = join(tmp, 'empty.json');
writeFileSync(emptyConfig, '{}');
const broker = start('broker', ['--config', emptyConfig, '--port', '0', '--dataDir', join(tmp, 'broker')]);
const port = await waitFor('the broker', () => /"port":(\d+),"msg":"listening"/.exec(broker.output())?.[1]);
const url = `mqtt://127.0.0.1:${port}`;
// The connector's part: the device identity, retained.
const id = await mqtt.connectAsync(url, { clientId: 'bench-identity' });
await id.publishAsync('edge/thing/response', JSON.stringify({ deviceId: 'bench:gw', tenantId: 'bench' }), { qos: 1, retain: true });
const sink = await mqtt.connectAsync(url, { clientId: 'bench-sink' });
let reports = 0;
sink.on('message', (_t, p) => {
  if (p.toString().includes('/features/Metrics/outbox/messages/data')) reports++;
});
await sink.subscribeAsync('e', { qos: 1 });
await sink.subscribeAsync('event', { qos: 1 });

const filter = process.env.BENCH_FILTER ?? JSON.stringify([{ originator: 'SYSTEM' }, { originator: 'node' }, { originator: 'no-such-process' }]);
async function measure(reporting) {
  const args = ['--config', emptyConfig, '--localAddress', `tcp://127.0.0.1:${port}`, '--frequency', reporting ? '1s' : '0s', '--filter', filter];
  const app = start('system-metrics', args);
  await waitFor('the app started', () => app.output().includes('system metrics started'));
  await sleep(3000); // start-up and the first reports out of the window
  const r0 = reports;
  const c0 = cpuSeconds(app.child.pid);
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const cpu = cpuSeconds(app.child.pid) - c0;
  const wall = (performance.now() - t0) / 1000;
  const sent = reports - r0;
  app.child.kill('SIGTERM');
  await new Promise((r) => app.child.once('exit', r));
  return { share: cpu / wall, sent };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cost = [];
const idle = [];
const busy = [];
for (let i = 0; i < rounds; i++) {
  const a = await measure(false);
  const b = await measure(true);
  idle.push(a.share);
  busy.push(b.share);
  cost.push(b.share - a.share);
  process.stderr.write(`round ${i + 1}: idle ${(a.share * 100).toFixed(3)} %, reporting ${(b.share * 100).toFixed(3)} % of one core, ${b.sent} reports in ${windowS} s\n`);
}
const pct = (x) => `${(x * 100).toFixed(3)} %`;
const range = (xs) => `${pct(Math.min(...xs))}–${pct(Math.max(...xs))}`;
console.log(`| what | median | range |\n|---|---|---|`);
console.log(`| idle (frequency 0, the reference) | ${pct(median(idle))} | ${range(idle)} |`);
console.log(`| reporting every 1 s (all SYSTEM + 3 processes) | ${pct(median(busy))} | ${range(busy)} |`);
console.log(`| cost of reporting (reporting − idle), share of one core | ${pct(median(cost))} | ${range(cost)} |`);
console.log(`| ratio to the 1 % budget | ${(median(cost) / 0.01).toFixed(2)} | ${(Math.min(...cost) / 0.01).toFixed(2)}–${(Math.max(...cost) / 0.01).toFixed(2)} |`);
await sink.endAsync();
await id.endAsync();
process.exit(0);
