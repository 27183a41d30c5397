// What the Kanto §8 suite and the bad-input suite of container-management share: one real-process stack
// per file (cm-stack.ts) registered as before/after hooks of the current describe, containers each case
// owns and removes, and the checks both make (Ditto errors, `ctr tasks ls`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, type TestContext } from 'node:test';
import { containerdAvailable, registryAvailable } from '@ledge/container-management/data-access-containerd/testing';
import { skipUnlessTools } from '@ledge/shared/util/testing';
import { startCmStack, type CmStack, type Env } from './cm-stack';

export const skipWithoutContainerd = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo', !containerdAvailable() || !registryAvailable());
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The daemon's default bridge (network.ts defaultNetworkOptions). */
export const BRIDGE = 'ledge-cm0';
/** PID 1 of these containers acts on TERM (exit 0) and INT (exit 7) at once: `wait` returns on a trapped signal. */
export const SLEEPER = ['/bin/sh', '-c', 'trap "exit 0" TERM; trap "exit 7" INT; sleep 300 & wait'];

export type Feature = { definition: string[]; properties: { status: { name: string; imageRef: string; createdAt: string; config: Record<string, unknown>; state: { status: string } } } };
type DittoError = { status: number; error: string; message: string };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function ctr(s: CmStack, args: string[]): string {
  const r = spawnSync('ctr', ['-a', s.ctrd.socket, '-n', s.namespace, ...args], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** STATUS column of `ctr tasks ls` for one container, or undefined without a task. */
export function taskStatus(s: CmStack, id: string): string | undefined {
  const line = ctr(s, ['tasks', 'ls']).split('\n').find((l) => l.startsWith(`${id} `));
  return line?.trim().split(/\s+/)[2];
}

export function assertDittoError(r: { status: number; env: Env }, status: number, error: string, message?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.env));
  assert.equal(r.env.status, status);
  const v = r.env.value as DittoError;
  assert.equal(v.status, status);
  assert.equal(v.error, error);
  if (message) assert.match(v.message, message);
}

export interface KantoFixture {
  /** The stack (from the first before hook on). */
  readonly s: CmStack;
  /** Removes the container when the test ends, unless the test removed it. */
  owned(t: TestContext, id: string): string;
  /** A SLEEPER container on the host network, owned by the test. */
  sleeper(t: TestContext, name: string, start?: boolean, config?: Record<string, unknown>): Promise<string>;
  featureOf(id: string): Feature | undefined;
  eventsAt(path: string): Env[];
}

/**
 * Starts one stack for the enclosing describe (before) and stops it (after): containers through the
 * daemon first so CNI DEL runs, then the processes. With `removeBridge` the default bridge is deleted
 * afterwards when it did not exist before (only for suites that create bridged containers).
 */
export function kantoFixture(namespace: string, options: { removeBridge?: boolean } = {}): KantoFixture {
  let stack: CmStack | undefined;
  const steps: (() => unknown)[] = [];
  let bridgeExisted = true;
  before(async () => {
    bridgeExisted = spawnSync('ip', ['link', 'show', BRIDGE], { stdio: 'ignore' }).status === 0;
    stack = await startCmStack({ after: (fn) => steps.push(fn) }, { namespace });
  }, { timeout: 90_000 });
  after(async () => {
    await stack?.removeAll().catch(() => undefined);
    while (steps.length > 0) await steps.pop()!();
    if (options.removeBridge && !bridgeExisted) spawnSync('ip', ['link', 'del', BRIDGE], { stdio: 'ignore' });
  });
  const f: KantoFixture = {
    get s() {
      if (stack === undefined) throw new Error('the container-management stack is not started');
      return stack;
    },
    owned(t, id) {
      t.after(async () => {
        if (f.s.liveIds().includes(id)) await f.s.call(`Container:${id}`, 'remove', true);
      });
      return id;
    },
    async sleeper(t, name, start = true, config = {}) {
      return f.owned(t, await f.s.create({ imageRef: f.s.reg.singleRef, name, start, config: { cmd: SLEEPER, restartPolicy: { type: 'NO' }, networkMode: 'HOST', ...config } }));
    },
    featureOf: (id) => f.s.events.find((e) => e.path === `/features/Container:${id}` && e.topic.endsWith('/twin/commands/modify'))?.value as Feature | undefined,
    eventsAt: (path) => f.s.events.filter((e) => e.path === path),
  };
  return f;
}
