#!/usr/bin/env node
// bench/broker: Ledge broker vs Mosquitto (Debian), measured in the same run on this machine.
// Throughput (delivered msgs/s) and p50/p99 latency for QoS0/QoS1, 64 B and 1 KiB, 4 publishers ×
// 4 subscribers (each message fans out to every subscriber); broker RSS; idle RSS of the all-in-one
// stack. Prints a Markdown table with ratios (Ledge / Mosquitto). Not a test: it asserts nothing.
// Each measured run is repeated (BENCH_ROUNDS, default 3, the brokers alternating) and the table
// gives medians with the range; besides msgs/s it gives each broker's CPU time per delivered message,
// read from /proc: when both saturate the load generator, CPU per message is what still tells them apart.
// Durable acknowledgements (issue 17): QoS 1 into persistent sessions (4 subscribers with clean: false,
// online or offline while the publishers publish), publisher side (PUBACKs/s, publish → PUBACK latency),
// Ledge with fsync interval (default) and fsync always against Mosquitto with `persistence true`
// (autosave every 1800 s, its default) and with its tightest autosave settings, in the same run.
// Usage: npm run bench:broker [-- --quick] [-- --only plain|durable] [-- --autosave-changes] [-- --brokers ledge,...]
//        [BENCH_ROUNDS=N] [BENCH_LEDGE_NODE_ARGS="<node flags for the Ledge broker only>"]
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// Calls fn with every JSON line the child prints on stdout (pino's log).
function onJsonLog(child, fn) {
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let j;
      try {
        j = JSON.parse(line);
      } catch {
        continue; // not JSON
      }
      fn(j);
    }
  });
}

function waitForJsonLog(child, pred, timeoutMs = 15000) {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('timeout waiting for broker start')), timeoutMs);
    onJsonLog(child, (j) => {
      if (pred(j)) {
        clearTimeout(t);
        res(j);
      }
    });
  });
}

// Mosquitto with the bench's options plus `extra` config lines.
async function startMosquitto(name, extra = []) {
  if (spawnSync('sh', ['-c', 'command -v mosquitto']).status !== 0) throw new Error('mosquitto not installed (apt-get install mosquitto)');
  const port = await freePort();
  const conf = join(tmp, `${name}.conf`);
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_queued_messages 10000', 'set_tcp_nodelay true', ...extra, ''].join('\n'));
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.once('exit', (code, signal) => console.error(`${name} broker exited (${code ?? signal})`));
  // Read its log (a line per connection, and per save of its database) so that a full pipe never
  // blocks it.
  child.stdout.resume();
  child.stderr.resume();
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    if (await new Promise((res) => {
      const s = new Socket();
      s.once('connect', () => (s.destroy(), res(true))).once('error', () => res(false)).connect(port, '127.0.0.1');
    })) break;
  }
  return { name, url: `mqtt://127.0.0.1:${port}`, pid: child.pid };
}

// BENCH_LEDGE_NODE_ARGS: node/V8 flags for the Ledge broker only (an A/B of a flag; the load generator and
// Mosquitto are unchanged), e.g. BENCH_LEDGE_NODE_ARGS=--single-threaded-gc.
const ledgeNodeArgs = (process.env.BENCH_LEDGE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

async function startLedge(name, args = []) {
  const child = spawn(process.execPath, [...ledgeNodeArgs, join(root, 'dist/apps/broker/main.js'), '--port', '0', '--dataDir', join(tmp, name), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.once('exit', (code, signal) => console.error(`${name} broker exited (${code ?? signal})`));
  onJsonLog(child, (j) => {
    if (j.level === 'error' || j.level === 'fatal') console.error(`${name}: ${JSON.stringify(j)}`);
  });
  const line = await waitForJsonLog(child, (j) => j.msg === 'listening' && j.protocol === 'tcp');
  return { name, url: `mqtt://127.0.0.1:${line.port}`, pid: child.pid };
}

// Mosquitto's persistence writes its whole in-memory database (to a new file, fsync, rename) every
// `autosave_interval` seconds, or with `autosave_on_changes` once that many changes (queued messages,
// subscriptions) have gathered, checked once per pass of its main loop; the PUBACK is written while the
// PUBLISH is handled, before that pass ends, so no setting makes a message durable before its PUBACK.
// Started as root, Mosquitto drops to the `mosquitto` user: its directory must be writable by that user
// (otherwise every save fails with "Permission denied" and it persists nothing).
const persistDir = (name) => {
  chmodSync(tmp, 0o711);
  mkdirSync(join(tmp, name));
  chmodSync(join(tmp, name), 0o777);
  return `persistence_location ${join(tmp, name)}/`;
};
const brokerKinds = {
  ledge: (n) => startLedge(n), // default config: disk persistence, fsync interval (200 ms)
  'ledge-fsync-always': (n) => startLedge(n, ['--fsync', 'always']),
  mosquitto: (n) => startMosquitto(n, ['persistence false']),
  'mosquitto-persist': (n) => startMosquitto(n, ['persistence true', persistDir(n)]), // autosave_interval 1800
  'mosquitto-autosave-1s': (n) => startMosquitto(n, ['persistence true', persistDir(n), 'autosave_interval 1']),
  'mosquitto-autosave-changes': (n) => startMosquitto(n, ['persistence true', persistDir(n), 'autosave_interval 1', 'autosave_on_changes true']),
};
const labels = {
  ledge: 'Ledge, fsync interval (default)',
  'ledge-fsync-always': 'Ledge, fsync always',
  'mosquitto-persist': 'Mosquitto, `persistence true`',
  'mosquitto-autosave-1s': 'Mosquitto, + `autosave_interval 1`',
  'mosquitto-autosave-changes': 'Mosquitto, + `autosave_on_changes true`',
};

function load(broker, params) {
  return new Promise((res, rej) => {
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssMb(broker.pid))), 100);
    const cpu0 = cpuSeconds(broker.pid);
    const c = spawn(process.execPath, [join(root, 'bench/broker/load.mjs'), JSON.stringify({ ...params, url: broker.url, pid: broker.pid })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.once('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return rej(new Error(`load against ${broker.name} exited ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop());
      res({ ...r, peakRssMb: peak, cpuUsPerMsg: ((cpuSeconds(broker.pid) - cpu0) * 1e6) / Math.max(1, r.delivered) });
    });
  });
}

// --only plain|durable (or BENCH_ONLY) runs one group of scenarios. --autosave-changes adds Mosquitto
// with `autosave_on_changes` to the durable ones: it saves its whole database after every pass of its
// loop that queued a message, ~300-900 PUBACKs/s here, so a full run with it takes ~25 minutes more.
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : process.env.BENCH_ONLY;
const brokersAt = process.argv.indexOf('--brokers');
let durableBrokers = ['ledge', 'ledge-fsync-always', 'mosquitto-persist', 'mosquitto-autosave-1s'];
if (process.argv.includes('--autosave-changes')) durableBrokers.push('mosquitto-autosave-changes');
// --brokers a,b: only these of the durable ones (the reference, mosquitto-persist, always stays)
if (brokersAt > 0) durableBrokers = [...new Set([...process.argv[brokersAt + 1].split(','), 'mosquitto-persist'])].filter((b) => b in brokerKinds);
const scenarios = [];
if (only !== 'durable')
  for (const qos of [0, 1])
    for (const size of [64, 1024]) scenarios.push({ qos, size, pubs: 4, subs: 4, count: quick ? 2000 : qos === 0 ? 25000 : 10000, brokers: ['ledge', 'mosquitto'] });
// Durable: every message is queued for 4 persistent sessions. Offline, 4 × 2,000 messages stay under
// both brokers' 10,000 queued messages per client, so nothing is dropped.
if (only !== 'plain')
  for (const durable of ['online', 'offline'])
    for (const size of [64, 1024])
      scenarios.push({
        qos: 1, size, pubs: 4, subs: 4, durable,
        count: quick ? 500 : durable === 'online' ? 10000 : 2000,
        brokers: durableBrokers,
      });

const running = {};
for (const name of new Set(scenarios.flatMap((s) => s.brokers))) running[name] = await brokerKinds[name](name);
await sleep(500);
const idle = Object.fromEntries(Object.values(running).map((b) => [b.name, rssMb(b.pid)]));
const rows = [];
let n = 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const s of scenarios) {
  const { brokers: names, ...params } = s;
  const brokers = names.map((x) => running[x]);
  const rate = s.durable ? 'acksPerSec' : 'msgsPerSec';
  const cpuOf = (u) => (s.durable ? u.cpuUsPerAck : u.cpuUsPerMsg);
  const r = {};
  for (const b of brokers) {
    // warm-up; the rate-limited run measures latency without queueing
    await load(b, { ...params, count: Math.min(1000, s.count), tag: `w${n++}` });
    r[b.name] = { runs: [], paced: await load(b, { ...params, count: quick ? 500 : 2000, ratePerSec: 2000, tag: `r${n++}` }) };
  }
  for (let i = 0; i < rounds; i++) {
    for (const b of i % 2 === 0 ? brokers : [...brokers].reverse()) r[b.name].runs.push(await load(b, { ...params, tag: `m${n++}` }));
  }
  for (const b of brokers) {
    const x = r[b.name];
    const rates = x.runs.map((u) => u[rate]);
    const mid = x.runs.find((u) => u[rate] === median(rates));
    Object.assign(x, mid, { rate: mid[rate], min: Math.min(...rates), max: Math.max(...rates), cpuUs: median(x.runs.map(cpuOf)), delivered: Math.min(...x.runs.map((u) => u.delivered)), peakRssMb: Math.max(...x.runs.map((u) => u.peakRssMb)) });
  }
  rows.push({ s, r });
  const ref = r[names.find((x) => x.startsWith('mosquitto'))];
  console.error(
    `${s.durable ? `durable ${s.durable} ` : ''}qos${s.qos} ${s.size}B: ` +
      names.map((x) => `${x} ${r[x].rate.toFixed(0)}/s (${r[x].cpuUs.toFixed(1)} µs CPU/msg, ${(r[x].rate / ref.rate).toFixed(2)}×)`).join(', '),
  );
}

// Idle RSS of the all-in-one stack: the apps ledge.service hosts in one Node process (broker, connector,
// file upload), wired to that broker, sampled after 15 s (start-up garbage collected), against a bare
// `node` idling in the same run (the floor every Node process pays).
let stackIdle = NaN;
let bareIdle = NaN;
if (only !== 'durable') {
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
if (ledgeNodeArgs.length > 0) out.push(`Ledge broker started with node flags: ${ledgeNodeArgs.join(' ')}`);
out.push('');
const plain = rows.filter((x) => !x.s.durable);
const durable = rows.filter((x) => x.s.durable);
if (plain.length) {
  out.push(`Throughput: median of ${rounds} runs per broker (range in brackets); CPU: broker user + system time per delivered message, median.`);
  out.push('');
  out.push('| scenario | Ledge msgs/s | Mosquitto msgs/s | ratio | Ledge / Mosquitto CPU µs per msg | Ledge p50 / p99 ms (load) | Mosquitto p50 / p99 ms (load) | Ledge p50 / p99 ms (2k/s) | Mosquitto p50 / p99 ms (2k/s) | Ledge peak RSS MB | Mosquitto peak RSS MB |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { s, r } of plain) {
    const L = r.ledge, M = r.mosquitto;
    out.push(
      `| QoS${s.qos} ${s.size} B, ${s.pubs} pub × ${s.subs} sub | ${f(L.rate)} [${f(L.min)}–${f(L.max)}] | ${f(M.rate)} [${f(M.min)}–${f(M.max)}] | **${f(L.rate / M.rate, 2)}×** | ${f(L.cpuUs, 1)} / ${f(M.cpuUs, 1)} | ${f(L.p50, 2)} / ${f(L.p99, 2)} | ${f(M.p50, 2)} / ${f(M.p99, 2)} | ${f(L.paced.p50, 2)} / ${f(L.paced.p99, 2)} | ${f(M.paced.p50, 2)} / ${f(M.paced.p99, 2)} | ${f(L.peakRssMb, 1)} | ${f(M.peakRssMb, 1)} |`,
    );
    if (L.delivered !== L.expected || M.delivered !== M.expected) out.push(`|  ⚠ delivered (fewest of the runs) ledge ${L.delivered}/${L.expected}, mosquitto ${M.delivered}/${M.expected} | | | | | | | | | | |`);
  }
  out.push('');
  out.push(`Idle RSS: Ledge broker ${f(idle.ledge, 1)} MB, Mosquitto ${f(idle.mosquitto, 1)} MB; all-in-one stack (\`ledge run --apps broker,connector,file-upload\`, as ledge.service) ${f(stackIdle, 1)} MB (goal ≤ 64 MB), a bare \`node\` ${f(bareIdle, 1)} MB.`);
}
if (durable.length) {
  if (plain.length) out.push('');
  out.push(`Durable acknowledgements: QoS 1 into ${durable[0].s.subs} persistent sessions (clean: false, QoS 1 subscriptions), ${durable[0].s.pubs} publishers; PUBACKs/s (acknowledged publishes per second): median of ${rounds} runs per broker (range in brackets); ratio against Mosquitto \`persistence true\`; CPU: broker user + system time per acknowledged publish over the publishing, median; latency publish → PUBACK.`);
  out.push('');
  out.push('| scenario | broker | PUBACKs/s | ratio | CPU µs per msg | PUBACK p50 / p99 ms (load) | PUBACK p50 / p99 ms (2k/s) | deliveries/s, p50 / p99 ms (load) | peak RSS MB |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const { s, r } of durable) {
    const ref = r['mosquitto-persist'];
    for (const [name, x] of Object.entries(r)) {
      const after = s.durable === 'online' ? `${f(x.msgsPerSec)}, ${f(x.p50, 2)} / ${f(x.p99, 2)}` : `drained in ${f(x.drainSeconds, 2)} s`;
      out.push(
        `| QoS1 ${s.size} B, ${s.pubs} pub × ${s.subs} durable sub ${s.durable} | ${labels[name]} | ${f(x.rate)} [${f(x.min)}–${f(x.max)}] | **${f(x.rate / ref.rate, 2)}×** | ${f(x.cpuUs, 1)} | ${f(x.ackP50, 2)} / ${f(x.ackP99, 2)} | ${f(x.paced.ackP50, 2)} / ${f(x.paced.ackP99, 2)} | ${after} | ${f(x.peakRssMb, 1)} |`,
      );
      if (x.delivered !== x.expected) out.push(`|  ⚠ delivered (fewest of the runs) ${x.delivered}/${x.expected} | | | | | | | | |`);
    }
  }
}
console.log(out.join('\n'));
process.exit(0);
