#!/usr/bin/env node
// bench/containers: Ledge's containerd runtime vs containerd's own `ctr`, same daemon, same run.
// A private containerd and a local registry (the integration-test fixtures) are started; each round
// uses a fresh namespace per tool, so every pull is cold. Measures image pull (local registry, plain
// http) and create+start latency (host network for both: `ctr run -d --net-host`). Prints medians and
// ratios (Ledge / ctr; goal ≤ 1.2). Not a test: it asserts nothing. Needs root.
// Usage: node bench/containers/run.mjs [--rounds N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const lib = '../../libs/container-management/data-access-containerd/src';
const { createContainerdRuntime } = await import(`${lib}/index.ts`);
const { startContainerd, startRegistry } = await import(`${lib}/testing/index.ts`);
const { defaultContainerConfig } = await import('../../libs/container-management/model-containers/src/index.ts');
const { captureLogger } = await import('../../libs/shared/util/src/testing/index.ts');

const cleanups = [];
const t = { after: (fn) => cleanups.push(fn) };
const stateDir = mkdtempSync(join(tmpdir(), 'ledge-bench-ctr-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const s = performance.now();
  await fn();
  return performance.now() - s;
};

try {
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const ctr = (ns, ...args) => {
    const r = spawnSync('ctr', ['-a', ctrd.socket, '-n', ns, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
  };
  const res = { pull: { ledge: [], ctr: [] }, run: { ledge: [], ctr: [] } };
  for (let i = 0; i < rounds; i++) {
    const rt = createContainerdRuntime({ socket: ctrd.socket, namespace: `bench-ledge-${i}`, stateDir, logger: captureLogger().logger, insecureRegistries: [reg.host] });
    res.pull.ledge.push(await time(() => rt.pullImage(reg.singleRef)));
    const config = { ...defaultContainerConfig('bench', reg.singleRef), networkMode: 'host', cmd: ['/bin/busybox', 'sleep', '1000'] };
    res.run.ledge.push(
      await time(async () => {
        await rt.createContainer(`c${i}`, config);
        await rt.startContainer(`c${i}`, config);
      }),
    );
    await rt.removeContainer(`c${i}`, { force: true });
    await rt.close();
    const ns = `bench-ctr-${i}`;
    res.pull.ctr.push(await time(async () => ctr(ns, 'image', 'pull', '--plain-http', reg.singleRef)));
    res.run.ctr.push(await time(async () => ctr(ns, 'run', '-d', '--net-host', reg.singleRef, `c${i}`, '/bin/busybox', 'sleep', '1000')));
    ctr(ns, 'task', 'rm', '-f', `c${i}`);
  }
  console.log(`| operation (median of ${rounds}) | Ledge ms | ctr ms | ratio |`);
  console.log('|---|---:|---:|---:|');
  for (const [name, r] of Object.entries(res)) {
    const a = median(r.ledge);
    const b = median(r.ctr);
    console.log(`| ${name === 'pull' ? 'image pull (cold)' : 'create + start'} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
  }
} finally {
  for (const fn of cleanups.reverse()) await fn();
  rmSync(stateDir, { recursive: true, force: true });
}
