#!/usr/bin/env node
// The unit suite under load (issue 22, must-show: "the unit suite passes 10 times in a row with both cores
// loaded by another process"). Runs the unit specs (every *.spec.ts that `npm test -- --unit` runs: not
// *.int.spec.ts, not test-e2e/) with the runner flags of tools/test.mjs, `--runs` times in a row, while one
// busy loop per core (a separate `node` process each) keeps every core loaded. Stops at the first failing
// run and names its failed tests. Each run prints its test counts, its duration and the 1-minute load
// average at its end (other work on the machine shows there); the last line is `N passed, N failed` (runs).
// Usage: node tools/unit-stress.mjs [--runs 10] [--load <busy loops, default: one per core>] [path-substring ...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTreeSpecs, isIntSpec } from './specs.mjs';

const root = new URL('..', import.meta.url).pathname;

function parseArgs(argv) {
  const opts = { runs: 10, load: availableParallelism(), filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs' || a === '--load') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < (a === '--runs' ? 1 : 0)) {
        console.error(`${a} takes a whole number (got ${argv[i]})`);
        process.exit(2);
      }
      opts[a.slice(2)] = n;
    } else opts.filters.push(a);
  }
  return opts;
}

/** The test runner of the run under way: killed with the busy loops when this script is stopped. */
let running;

/** One `node` process per busy loop; they end with this script (and are killed on the way out). */
function startLoad(count) {
  const loops = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stop = () => {
    for (const p of [...loops, running]) if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      stop();
      process.exit(130);
    });
  }
  return { pids: loops.map((p) => p.pid), stop };
}

/** Failed tests of a TAP file as `suite › test (file)`, leaves only (a failed suite's own line is left out). */
function failedTests(tap) {
  const lines = tap.split('\n');
  const stack = [];
  const failed = [];
  for (let i = 0; i < lines.length; i++) {
    const sub = /^( *)# Subtest: (.*)$/.exec(lines[i]);
    if (sub) {
      const depth = sub[1].length / 4;
      stack.length = depth;
      stack[depth] = sub[2];
      continue;
    }
    const m = /^( *)not ok \d+ - (.*?)(?: # .*)?$/.exec(lines[i]);
    if (!m) continue;
    const path = [...stack.slice(0, m[1].length / 4), m[2]].join(' › ');
    // the YAML block under the line says where the test is: location: '<file>:<line>:<column>'
    let file = '';
    for (let j = i + 1; j < lines.length && lines[j].trim() !== '...'; j++) {
      const loc = /^ *location: '(.*?)(?::\d+){0,2}'$/.exec(lines[j]);
      if (loc) {
        file = loc[1].startsWith(root) ? loc[1].slice(root.length) : loc[1];
        break;
      }
    }
    failed.push({ path, file });
  }
  return failed.filter((f) => !failed.some((g) => g !== f && g.path.startsWith(`${f.path} › `))).map((f) => (f.file ? `${f.path} (${f.file})` : f.path));
}

/** Runs the specs once with node's test runner (TAP to a file); resolves to counts, failures and seconds. */
function runOnce(specs, tap) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', `--test-reporter-destination=${tap}`, '--test-concurrency=3', '--test-timeout=300000', ...specs],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' } },
    );
    running = child;
    child.on('close', (code) => {
      running = undefined;
      let text = '';
      try {
        text = readFileSync(tap, 'utf8');
      } catch {
        // no TAP: the runner itself failed (counted as a failure below)
      }
      const count = (what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      const failed = failedTests(text);
      resolve({
        ok: code === 0 && text !== '',
        pass: count('pass'),
        fail: count('fail'),
        tests: count('tests'),
        failed: text === '' ? ['(no TAP written: the test runner failed)'] : failed,
        seconds: (performance.now() - t0) / 1000,
      });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let specs = findTreeSpecs(root).filter((s) => !isIntSpec(s));
  if (opts.filters.length > 0) specs = specs.filter((s) => opts.filters.some((f) => s.includes(f)));
  const load = startLoad(opts.load);
  const tapDir = mkdtempSync(join(tmpdir(), 'ledge-unit-stress-'));
  console.log(`unit suite: ${specs.length} spec files, ${opts.runs} runs, ${opts.load} busy loops (pids ${load.pids.join(' ')}) on ${availableParallelism()} cores; load average ${loadavg()[0].toFixed(2)} at start`);
  let passed = 0;
  let failed = 0;
  const seconds = [];
  for (let i = 1; i <= opts.runs; i++) {
    const tap = join(tapDir, `run-${i}.tap`);
    const r = await runOnce(specs, tap);
    seconds.push(r.seconds);
    console.log(`run ${i}/${opts.runs}: ${r.ok ? 'PASS' : 'FAIL'}  tests ${r.tests}, pass ${r.pass}, fail ${r.fail}  ${r.seconds.toFixed(1)} s  load ${loadavg()[0].toFixed(2)}`);
    if (r.ok) {
      passed++;
      continue;
    }
    failed++;
    for (const name of r.failed) console.log(`  not ok: ${name}`);
    console.log(`  TAP kept: ${tap}`);
    break;
  }
  load.stop();
  if (failed === 0) rmSync(tapDir, { recursive: true, force: true });
  const sorted = [...seconds].sort((a, b) => a - b);
  console.log(`durations: min ${sorted[0].toFixed(1)} s, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s, max ${sorted.at(-1).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
