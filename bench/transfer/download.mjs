// Download throughput: Ledge's artifact downloader (undici, SHA-256 computed while streaming, resumable
// partial file) vs `curl -o` fetching the same file from the same local Node HTTP server (a separate
// process) in the same run; also `curl -o && sha256sum`, the fair equivalent of a verified download.
// Two cases: loopback unlimited (CPU-bound: measures per-byte cost) and paced at --rate MB/s (a
// link-bound transfer, as on a device: 100 MB/s ≈ gigabit Ethernet). Prints MB/s and ratios (goal ≥ 0.9× curl).
// Run: node --import tsx bench/transfer/download.mjs [sizeMB=200] [rounds=3] [rateMBps=100]
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDownloader } from '@ledge/software-update/data-access-download';
import { cpuSeconds } from '../cpu.mjs';

const sizeMB = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const rate = Number(process.argv[4] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'ledge-bench-download-'));
const file = join(dir, 'artifact.bin');
const fd = openSync(file, 'w');
const hash = createHash('sha256');
for (let i = 0; i < sizeMB; i++) {
  const block = randomBytes(1024 * 1024);
  hash.update(block);
  writeSync(fd, block);
}
closeSync(fd);
const sha256 = hash.digest('hex');
const size = statSync(file).size;

// /fast: the whole file from memory in one write, as fast as the kernel allows (the server spends as little
// CPU as a Node server can, so on a small machine it takes the least from the clients, as a remote server
// would); /paced?r=<MB/s>: 256 KiB slices on a fixed schedule.
const serverCode = `
const http = require('node:http'); const fs = require('node:fs');
const file = ${JSON.stringify(file)}; const data = fs.readFileSync(file);
const s = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  res.writeHead(200, { 'content-length': String(data.length), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' });
  if (u.pathname === '/fast') return void res.end(data);
  const bps = Number(u.searchParams.get('r')) * 1024 * 1024; const slice = 256 * 1024; const t0 = Date.now(); let at = 0;
  const pump = () => {
    while (at < data.length) {
      const due = t0 + (at / bps) * 1000;
      if (Date.now() < due) return void setTimeout(pump, due - Date.now());
      const ok = res.write(data.subarray(at, at + slice)); at += slice;
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
const server = spawn(process.execPath, ['-e', serverCode], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => server.stdout.once('data', (d) => r(Number(String(d).trim()))));

const mbps = (s) => size / 1024 / 1024 / s;
const selfCpu = () => cpuSeconds();
const serverCpu = () => cpuSeconds(server.pid);
const cpu = { worker: [], inline: [], curl: [], server: [] };
const clock = () => process.hrtime.bigint();
const since = (t0) => Number(clock() - t0) / 1e9;

// One downloader per variant for the whole run, as the software-update daemon keeps one.
const downloaders = new Map();
async function ledge(url, tag, options = {}) {
  const key = JSON.stringify(options);
  if (!downloaders.has(key)) downloaders.set(key, createDownloader({ retries: 0, minFreeSpace: 0, ...options }));
  const d = downloaders.get(key);
  const out = join(dir, `ledge-${tag}.bin`);
  const c0 = selfCpu();
  const s0 = serverCpu();
  const t0 = clock();
  const r = await d.download({ url, file: out, expectedSize: size, checksum: { algorithm: 'sha256', expected: sha256 } });
  const s = since(t0);
  if (tag !== 'warm') {
    cpu[options.hashInWorker === false ? 'inline' : 'worker'].push(selfCpu() - c0);
    cpu.server.push(serverCpu() - s0);
  }
  if (r.digest !== sha256 || statSync(out).size !== size) throw new Error('ledge download wrong');
  rmSync(out);
  return mbps(s);
}

function curl(url, tag, verify) {
  const out = join(dir, `curl-${tag}.bin`);
  const s0 = serverCpu();
  const t0 = clock();
  // bash's `time` reports curl's own CPU time (user, system) on stderr
  const c = spawnSync('bash', ['-c', 'TIMEFORMAT="%U %S"; time curl -sS --fail -o "$0" "$1"', out, url], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`curl failed: ${c.stderr}`);
  if (!verify && tag !== 'warm') {
    const [user, sys] = c.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    cpu.curl.push(user + sys);
    cpu.server.push(serverCpu() - s0);
  }
  if (verify && !spawnSync('sha256sum', [out], { encoding: 'utf8' }).stdout.startsWith(sha256)) throw new Error('curl download wrong');
  const s = since(t0);
  rmSync(out);
  return mbps(s);
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (v) => `${v.toFixed(0).padStart(5)} MB/s`;
console.log(`download ${sizeMB} MiB over loopback HTTP, ${rounds} rounds, node ${process.version}, load average ${loadavg()[0].toFixed(1)}`);
for (const [label, url] of [['unlimited', `http://127.0.0.1:${port}/fast`], [`paced ${rate} MB/s`, `http://127.0.0.1:${port}/paced?r=${rate}`]]) {
  const r = { worker: [], inline: [], curl: [], curlSha: [] };
  for (const v of Object.values(cpu)) v.length = 0;
  await ledge(url, 'warm');
  await ledge(url, 'warm', { hashInWorker: false });
  curl(url, 'warm', false);
  const steps = {
    worker: async (i) => r.worker.push(await ledge(url, i)), // the default: SHA-256 on a worker thread
    inline: async (i) => r.inline.push(await ledge(url, i, { hashInWorker: false })),
    curl: async (i) => r.curl.push(curl(url, i, false)),
    curlSha: async (i) => r.curlSha.push(curl(url, i, true)),
  };
  // Alternating order, so no case always follows the same one.
  for (let i = 0; i < rounds; i++) {
    for (const k of i % 2 === 0 ? ['worker', 'curl', 'inline', 'curlSha'] : ['inline', 'curlSha', 'worker', 'curl']) await steps[k](i);
  }
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
  const c = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
  console.log(`\n${label} (medians; CPU = user + system seconds per download, every thread of the process)`);
  const line = (name, v, cpuS) => console.log(`  ${name.padEnd(40)} ${fmt(v)}   ${(v / m.curl).toFixed(2)}x curl   ${(v / m.curlSha).toFixed(2)}x curl+sha256sum   CPU ${cpuS.toFixed(3)} s`);
  line('ledge, SHA-256 on a worker (default)', m.worker, c.worker);
  line('ledge, SHA-256 on the event loop', m.inline, c.inline);
  console.log(`  ${'curl -o'.padEnd(40)} ${fmt(m.curl)}   CPU ${c.curl.toFixed(3)} s (the server: ${c.server.toFixed(3)} s per download)`);
  console.log(`  ${'curl -o && sha256sum'.padEnd(40)} ${fmt(m.curlSha)}`);
}
for (const d of downloaders.values()) await d.close();
server.kill();
rmSync(dir, { recursive: true, force: true });
