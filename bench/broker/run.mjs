#!/usr/bin/env node
// bench/broker: Ledge broker vs Mosquitto (Debian), measured in the same run on this machine.
// Throughput (delivered msgs/s) and p50/p99 latency for QoS0/QoS1, 64 B and 1 KiB, 4 publishers ×
// 4 subscribers (each message fans out to every subscriber); broker RSS; idle RSS of the all-in-one
// stack. Prints a Markdown table with ratios (Ledge / Mosquitto). Not a test: it asserts nothing.
// Each measured run is repeated (BENCH_ROUNDS, default 3, the two brokers alternating) and the table
// gives medians with the range; besides msgs/s it gives each broker's CPU time per delivered message,
// read from /proc: when both saturate the load generator, CPU per message is what still tells them apart.
// Usage: npm run bench:broker [-- --quick]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds } from '../cpu.mjs';

const root = new URL('../..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const tmp = mkdtempSync(join(tmpdir(), 'ledge-bench-'));
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

function waitForJsonLog(child, pred, timeoutMs = 15000) {
  return new Promise((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error('timeout waiting for broker start')), timeoutMs);
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const j = JSON.parse(line);
          if (pred(j)) {
            clearTimeout(t);
            res(j);
          }
        } catch {
          /* not JSON */
        }
      }
    });
  });
}

async function startMosquitto() {
  if (spawnSync('sh', ['-c', 'command -v mosquitto']).status !== 0) throw new Error('mosquitto not installed (apt-get install mosquitto)');
  const port = await freePort();
  const conf = join(tmp, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 10000\nset_tcp_nodelay true\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    if (await new Promise((res) => {
      const s = new Socket();
      s.once('connect', () => (s.destroy(), res(true))).once('error', () => res(false)).connect(port, '127.0.0.1');
    })) break;
  }
  return { name: 'mosquitto', url: `mqtt://127.0.0.1:${port}`, pid: child.pid };
}

async function startLedge() {
  const child = spawn(process.execPath, [join(root, 'dist/apps/broker/main.js'), '--port', '0', '--dataDir', join(tmp, 'ledge-broker')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await waitForJsonLog(child, (j) => j.msg === 'listening' && j.protocol === 'tcp');
  return { name: 'ledge', url: `mqtt://127.0.0.1:${line.port}`, pid: child.pid };
}

function load(broker, params) {
  return new Promise((res, rej) => {
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssMb(broker.pid))), 100);
    const cpu0 = cpuSeconds(broker.pid);
    const c = spawn(process.execPath, [join(root, 'bench/broker/load.mjs'), JSON.stringify({ ...params, url: broker.url })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.once('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return rej(new Error(`load exited ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop());
      res({ ...r, peakRssMb: peak, cpuUsPerMsg: ((cpuSeconds(broker.pid) - cpu0) * 1e6) / Math.max(1, r.delivered) });
    });
  });
}

const scenarios = [];
for (const qos of [0, 1])
  for (const size of [64, 1024]) scenarios.push({ qos, size, pubs: 4, subs: 4, count: quick ? 2000 : qos === 0 ? 25000 : 10000 });

const brokers = [await startLedge(), await startMosquitto()];
await sleep(500);
const idle = Object.fromEntries(brokers.map((b) => [b.name, rssMb(b.pid)]));
const rows = [];
let n = 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const s of scenarios) {
  const r = {};
  for (const b of brokers) {
    // warm-up; the rate-limited run measures latency without queueing
    await load(b, { ...s, count: Math.min(1000, s.count), tag: `w${n++}` });
    r[b.name] = { runs: [], paced: await load(b, { ...s, count: quick ? 500 : 2000, ratePerSec: 2000, tag: `r${n++}` }) };
  }
  for (let i = 0; i < rounds; i++) {
    for (const b of i % 2 === 0 ? brokers : [...brokers].reverse()) r[b.name].runs.push(await load(b, { ...s, tag: `m${n++}` }));
  }
  for (const b of brokers) {
    const x = r[b.name];
    const rates = x.runs.map((u) => u.msgsPerSec);
    const mid = x.runs.find((u) => u.msgsPerSec === median(rates));
    Object.assign(x, mid, { min: Math.min(...rates), max: Math.max(...rates), cpuUsPerMsg: median(x.runs.map((u) => u.cpuUsPerMsg)), delivered: Math.min(...x.runs.map((u) => u.delivered)), peakRssMb: Math.max(...x.runs.map((u) => u.peakRssMb)) });
  }
  rows.push({ s, r });
  const L = r.ledge, M = r.mosquitto;
  console.error(`qos${s.qos} ${s.size}B: ledge ${L.msgsPerSec.toFixed(0)}/s (${L.cpuUsPerMsg.toFixed(1)} µs CPU/msg) vs mosquitto ${M.msgsPerSec.toFixed(0)}/s (${M.cpuUsPerMsg.toFixed(1)} µs) = ${(L.msgsPerSec / M.msgsPerSec).toFixed(2)}×`);
}

// Idle RSS of the all-in-one stack: the apps ledge.service hosts in one Node process (broker, connector,
// file upload), wired to that broker, sampled after 15 s (start-up garbage collected), against a bare
// `node` idling in the same run (the floor every Node process pays).
let stackIdle = NaN;
let bareIdle = NaN;
{
  const port = await freePort();
  const bus = `tcp://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(root, 'dist/apps/ledge/main.js'), 'run', '--apps', 'broker,connector,file-upload', '--dev', '--dev-dir', join(tmp, 'stack')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LEDGE_BROKER_PORT: String(port), LEDGE_CONNECTOR_LOCAL_ADDRESS: bus, LEDGE_FILE_UPLOAD_BROKER: bus },
  });
  children.push(child);
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(bare);
  await waitForJsonLog(child, (j) => j.msg === 'app started' && j.app === 'file-upload', 20000).catch(() => undefined);
  await sleep(quick ? 3000 : 15000);
  stackIdle = rssMb(child.pid);
  bareIdle = rssMb(bare.pid);
  child.kill('SIGTERM');
  bare.kill('SIGTERM');
}

const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const out = [];
out.push(`Machine: ${spawnSync('nproc').stdout.toString().trim()} cores, Node ${process.version}, Mosquitto ${spawnSync('mosquitto', ['-h']).stdout.toString().split('\n')[0].replace(/^mosquitto version /, '')}`);
out.push('');
out.push(`Throughput: median of ${rounds} runs per broker (range in brackets); CPU: broker user + system time per delivered message, median.`);
out.push('');
out.push('| scenario | Ledge msgs/s | Mosquitto msgs/s | ratio | Ledge / Mosquitto CPU µs per msg | Ledge p50 / p99 ms (load) | Mosquitto p50 / p99 ms (load) | Ledge p50 / p99 ms (2k/s) | Mosquitto p50 / p99 ms (2k/s) | Ledge peak RSS MB | Mosquitto peak RSS MB |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const { s, r } of rows) {
  const L = r.ledge, M = r.mosquitto;
  out.push(
    `| QoS${s.qos} ${s.size} B, ${s.pubs} pub × ${s.subs} sub | ${f(L.msgsPerSec)} [${f(L.min)}–${f(L.max)}] | ${f(M.msgsPerSec)} [${f(M.min)}–${f(M.max)}] | **${f(L.msgsPerSec / M.msgsPerSec, 2)}×** | ${f(L.cpuUsPerMsg, 1)} / ${f(M.cpuUsPerMsg, 1)} | ${f(L.p50, 2)} / ${f(L.p99, 2)} | ${f(M.p50, 2)} / ${f(M.p99, 2)} | ${f(L.paced.p50, 2)} / ${f(L.paced.p99, 2)} | ${f(M.paced.p50, 2)} / ${f(M.paced.p99, 2)} | ${f(L.peakRssMb, 1)} | ${f(M.peakRssMb, 1)} |`,
  );
  if (L.delivered !== L.expected || M.delivered !== M.expected) out.push(`|  ⚠ delivered (fewest of the runs) ledge ${L.delivered}/${L.expected}, mosquitto ${M.delivered}/${M.expected} | | | | | | | | | | |`);
}
out.push('');
out.push(`Idle RSS: Ledge broker ${f(idle.ledge, 1)} MB, Mosquitto ${f(idle.mosquitto, 1)} MB; all-in-one stack (\`ledge run --apps broker,connector,file-upload\`, as ledge.service) ${f(stackIdle, 1)} MB (goal ≤ 64 MB), a bare \`node\` ${f(bareIdle, 1)} MB.`);
console.log(out.join('\n'));
process.exit(0);
