// Upload throughput: Ledge's generic HTTP provider vs `curl -T` sending the same file to the same local
// Node HTTP server (a separate process that discards the body) in the same run. Prints MB/s of each and
// the ratio (goal ≥ 0.9× curl). Run: node --import tsx bench/transfer/upload.mjs [sizeMB] [rounds]
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpUploadProvider } from '@ledge/file-upload/data-access-http-upload';

const sizeMB = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'ledge-bench-upload-'));
const file = join(dir, 'payload.bin');
const fd = openSync(file, 'w');
const block = randomBytes(1024 * 1024);
for (let i = 0; i < sizeMB; i++) writeSync(fd, block);
closeSync(fd);
const size = statSync(file).size;

const serverCode = `
const http = require('node:http');
const s = http.createServer((req, res) => { let n = 0; req.on('data', (c) => { n += c.length; }); req.on('end', () => res.writeHead(200, { 'x-bytes': String(n) }).end()); });
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
const server = spawn(process.execPath, ['-e', serverCode], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => server.stdout.once('data', (d) => r(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}/upload`;

const source = {
  path: file,
  size,
  stream: (start, end) => createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 }),
};

async function ledge() {
  const p = createHttpUploadProvider();
  const t0 = process.hrtime.bigint();
  await p.upload({ source, options: { 'https.url': url }, signal: new AbortController().signal, onProgress: () => undefined });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await p.close();
  return s;
}

function curl() {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('curl', ['-sS', '-o', '/dev/null', '-T', file, url]);
  if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const best = { ledge: Infinity, curl: Infinity };
try {
  for (let i = 0; i < rounds; i++) {
    best.curl = Math.min(best.curl, curl());
    best.ledge = Math.min(best.ledge, await ledge());
  }
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
const mb = size / 1e6;
const ledgeMBs = mb / best.ledge;
const curlMBs = mb / best.curl;
console.log(JSON.stringify({ bench: 'upload', sizeMB, rounds, ledgeMBs: +ledgeMBs.toFixed(1), curlMBs: +curlMBs.toFixed(1), ratio: +(ledgeMBs / curlMBs).toFixed(2), goal: 0.9 }));
