#!/usr/bin/env node
// bench/containers: Ledge's containerd runtime vs containerd's own `ctr`, same registry, same run.
// Each round starts a fresh private containerd per tool (the integration-test fixture: its own root, so
// the content store is empty and the first pull is cold: every blob crosses the wire and is unpacked),
// then measures on it, in this order: image pull (cold), image pull again into a second namespace (warm:
// containerd shares blobs across namespaces, so this is manifest, config and unpack work) and
// create+start (host network for both: `ctr run -d --net-host`). The tools take turns going first.
// The image comes from a local docker-registry over plain http. Prints medians and ratios (Ledge / ctr;
// goal ≤ 1.2). ctr's figures include its process start (~10 ms): it is the tool a user would run.
// Not a test: it asserts nothing. Needs root.
// Usage: node bench/containers/run.mjs [--rounds N]   (BENCH_VERBOSE=1 also prints every sample, ms)
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

/** A scope for the fixtures' cleanup hooks (they expect a test context's `after`). */
function scope() {
  const fns = [];
  return {
    t: { after: (fn) => fns.push(fn) },
    async close() {
      for (const fn of fns.reverse()) await fn();
    },
  };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const s = performance.now();
  await fn();
  return performance.now() - s;
};

const stateDir = mkdtempSync(join(tmpdir(), 'ledge-bench-ctr-'));
const outer = scope();
const res = { cold: { ledge: [], ctr: [] }, warm: { ledge: [], ctr: [] }, run: { ledge: [], ctr: [] } };
try {
  const reg = await startRegistry(outer.t);
  const config = { ...defaultContainerConfig('bench', reg.singleRef), networkMode: 'host', cmd: ['/bin/busybox', 'sleep', '1000'] };

  async function ledgeRound(socket, i) {
    const open = (ns) => createContainerdRuntime({ socket, namespace: ns, stateDir, logger: captureLogger().logger, insecureRegistries: [reg.host] });
    const rt = open(`bench-ledge-${i}`);
    const again = open(`bench-ledge-${i}-warm`);
    try {
      res.cold.ledge.push(await time(() => rt.pullImage(reg.singleRef)));
      res.warm.ledge.push(await time(() => again.pullImage(reg.singleRef)));
      res.run.ledge.push(
        await time(async () => {
          await rt.createContainer(`c${i}`, config);
          await rt.startContainer(`c${i}`, config);
        }),
      );
      await rt.removeContainer(`c${i}`, { force: true });
    } finally {
      await Promise.all([rt.close(), again.close()]);
    }
  }

  function ctrRound(socket, i) {
    const ctr = (ns, ...args) => {
      const r = spawnSync('ctr', ['-a', socket, '-n', ns, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
    };
    const ns = `bench-ctr-${i}`;
    return (async () => {
      res.cold.ctr.push(await time(async () => ctr(ns, 'image', 'pull', '--plain-http', reg.singleRef)));
      res.warm.ctr.push(await time(async () => ctr(`${ns}-warm`, 'image', 'pull', '--plain-http', reg.singleRef)));
      res.run.ctr.push(await time(async () => ctr(ns, 'run', '-d', '--net-host', reg.singleRef, `c${i}`, '/bin/busybox', 'sleep', '1000')));
      ctr(ns, 'task', 'rm', '-f', `c${i}`);
    })();
  }

  for (let i = 0; i < rounds; i++) {
    for (const tool of i % 2 === 0 ? ['ledge', 'ctr'] : ['ctr', 'ledge']) {
      const s = scope();
      try {
        const ctrd = await startContainerd(s.t);
        await (tool === 'ledge' ? ledgeRound(ctrd.socket, i) : ctrRound(ctrd.socket, i));
      } finally {
        await s.close();
      }
    }
  }
  if (process.env.BENCH_VERBOSE) console.log(JSON.stringify(res));
  const labels = { cold: 'image pull, cold (empty content store)', warm: 'image pull, warm (blobs already stored)', run: 'create + start' };
  console.log(`| operation (median of ${rounds}) | Ledge ms | ctr ms | ratio |`);
  console.log('|---|---:|---:|---:|');
  for (const [name, r] of Object.entries(res)) {
    const a = median(r.ledge);
    const b = median(r.ctr);
    console.log(`| ${labels[name]} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
  }
} finally {
  await outer.close();
  rmSync(stateDir, { recursive: true, force: true });
}
