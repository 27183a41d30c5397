// Test-only guest agent of the QEMU end-to-end test (test-e2e/qemu/README.md). Runs inside the guest as
// ledge-e2e-agent.service and answers command requests from the host over a virtio-serial port, one
// JSON object per line:
//   host  -> guest  {"id": 1, "cmd": "systemctl is-active ledge-broker.service", "timeoutMs": 30000}
//   guest -> host   {"id": 1, "code": 0, "stdout": "active\n", "stderr": "", "ms": 12}
// It is written into the test image only; no Ledge package ships it.
import fs from 'node:fs';
import { spawn } from 'node:child_process';

const portPath = process.argv[2] || '/dev/virtio-ports/org.ledge.e2e.agent';

function open() {
  try {
    // A virtio-serial port can be opened once: one descriptor for both directions.
    return fs.openSync(portPath, 'r+');
  } catch (err) {
    process.stderr.write(`ledge-e2e-agent: cannot open ${portPath} yet (${err.code}); retrying\n`);
    return undefined;
  }
}

function serve(fd) {
  process.stdout.write(`ledge-e2e-agent: serving on ${portPath}\n`);
  const reply = (obj) => {
    const buf = Buffer.from(`${JSON.stringify(obj)}\n`);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off);
  };
  let pending = '';
  const input = fs.createReadStream(null, { fd, autoClose: false, highWaterMark: 4096 });
  input.on('data', (chunk) => {
    pending += chunk.toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) handle(line, reply);
    }
  });
  input.on('error', (err) => {
    process.stderr.write(`ledge-e2e-agent: read failed: ${err.message}\n`);
    process.exit(1); // systemd restarts the agent
  });
}

function handle(line, reply) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    reply({ id: null, code: -1, stdout: '', stderr: `bad request: ${err.message}` });
    return;
  }
  const started = Date.now();
  const child = spawn('/bin/sh', ['-c', String(req.cmd)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), Number(req.timeoutMs) || 60_000);
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    reply({ id: req.id, code: code ?? -1, signal, stdout, stderr, ms: Date.now() - started });
  });
}

(function start() {
  const fd = open();
  if (fd === undefined) setTimeout(start, 1000);
  else serve(fd);
})();
