// Desired state end to end (issue 18), run by whole-stack.int.spec.ts in both `ledge run` modes: the cloud
// drives the gateway's UpdateManager feature (served by the update manager) and container management's
// containers agent does the work on containerd, the two talking Kanto's update contract on the local bus.
// The owner approves each UPDATE from the cloud (outbox `consent` → inbox `consent`, same correlation-id).
// v1 creates two containers, and an apply sent while it waits for the owner is refused naming it; v2
// changes one, keeps one and adds one with a health check; the owner denies the next one, which is rolled
// back; v3 adds one that exits at once, so activation fails and every change is rolled back (Ledge's
// health-gated rollback); a desired state with a wrong key is refused naming it; an empty one removes
// what the flow made. Each step
// is judged at the cloud (outbox feedback, Container features of the containers thing) and on the bus.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { connectAsync } from 'mqtt';
import type { RegistryFixture } from '@ledge/container-management/data-access-containerd/testing';
import { waitFor } from '@ledge/shared/util/testing';
import { CONTAINERS_THING, DEVICE, type StackMode, type WholeStack } from './whole-stack';

interface Feedback {
  activityId: string;
  desiredStateFeedback: { status: string; message?: string; actions?: { component: { id: string; version?: string }; status: string; message?: string }[] };
}

interface CloudContainer {
  name: string;
  status: string;
}

const FINAL = new Set(['COMPLETED', 'INCOMPLETE', 'INCOMPLETE_INCONSISTENT', 'IDENTIFICATION_FAILED']);
const PREFIX = 'ws-um-';

/** The Container:<id> features of the containers thing as the cloud has them now: id → name and state. */
function containersAtCloud(stack: WholeStack): Map<string, CloudContainer> {
  const view = new Map<string, CloudContainer>();
  for (const { thing, env } of stack.events) {
    if (thing !== CONTAINERS_THING) continue;
    const m = /^\/features\/Container:([^/]+)(\/properties\/status(\/state|\/name)?)?$/.exec(env.path);
    if (!m) continue;
    const id = m[1]!;
    if (env.topic.endsWith('/things/twin/commands/delete')) {
      if (m[2] === undefined) view.delete(id);
      continue;
    }
    const now = view.get(id) ?? { name: '', status: '' };
    if (m[2] === undefined) {
      const status = (env.value as { properties?: { status?: { name?: string; state?: { status?: string } } } }).properties?.status;
      view.set(id, { name: status?.name ?? '', status: status?.state?.status ?? '' });
    } else if (m[3] === '/state') view.set(id, { ...now, status: (env.value as { status?: string }).status ?? '' });
    else if (m[3] === '/name') view.set(id, { ...now, name: env.value as string });
  }
  return view;
}

/** This flow's containers at the cloud, by name: id and state. */
function ours(stack: WholeStack): Record<string, { id: string; status: string }> {
  const out: Record<string, { id: string; status: string }> = {};
  for (const [id, c] of containersAtCloud(stack)) if (c.name.startsWith(PREFIX)) out[c.name] = { id, status: c.status };
  return out;
}

/**
 * A container of this flow: the test image running `cmd` on the host network. The default runs until
 * stopped and exits on SIGTERM at once (a plain `sleep` as PID 1 ignores it, and every stop would wait out
 * the 30 s grace period).
 */
const SERVE = ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do /bin/busybox sleep 1; done'];
const component = (name: string, registry: RegistryFixture, config: [string, string][] = [], cmd = SERVE) => ({
  id: `${PREFIX}${name}`,
  version: '1',
  config: [['image', registry.singleRef], ['network', 'host'], ...cmd.map((c) => ['cmd', c]), ...config].map(([key, value]) => ({ key, value })),
});

export async function desiredStateThroughCloud(t: TestContext, stack: WholeStack, registry: RegistryFixture, mode: StackMode): Promise<void> {
  // The update contract on the local bus, as Kanto's docs have it: the manager orders the containers
  // agent on containersupdate/…, the agent answers on containersupdate/desiredstatefeedback.
  const watcher = await connectAsync(`mqtt://127.0.0.1:${stack.localPort}`, { clientId: 'update-contract-watcher', reconnectPeriod: 0 });
  t.after(() => watcher.endAsync(true));
  const wire: { topic: string; value: { activityId?: string; payload?: { command?: string; status?: string } } }[] = [];
  let cmPid: number | undefined;
  watcher.on('message', (topic, payload) => {
    if (topic === 'edge/health/container-management') return void (cmPid = payload.length > 0 ? (JSON.parse(payload.toString()) as { pid?: number }).pid : cmPid);
    if (payload.length > 0) wire.push({ topic, value: JSON.parse(payload.toString()) as (typeof wire)[number]['value'] });
  });
  await watcher.subscribeAsync(['containersupdate/#', 'deviceupdate/#', 'edge/health/container-management'], { qos: 1 });

  let n = 0;
  const feedback = () => stack.events.filter((e) => e.thing === DEVICE && e.env.path === '/features/UpdateManager/outbox/messages/feedback').map((e) => e.env.value as Feedback);
  const final = (activityId: string) => feedback().find((f) => f.activityId === activityId && FINAL.has(f.desiredStateFeedback.status));
  // The owner's consent (whole-stack.ts sets ownerConsentCommands UPDATE): the gateway asks in its outbox
  // with a correlation-id; the answer goes to the inbox with the same one.
  const consents = () =>
    stack.events
      .filter((e) => e.thing === DEVICE && e.env.path === '/features/UpdateManager/outbox/messages/consent')
      .map((e) => ({ activityId: (e.env.value as { activityId: string }).activityId, command: (e.env.value as { ownerConsent?: { command?: string } }).ownerConsent?.command, correlationId: String(e.env.headers?.['correlation-id']) }));
  const answered = new Set<string>();
  const apply = async (desiredState: unknown) => {
    const activityId = `ws-activity-${++n}`;
    const requestId = await stack.send({ thing: 'gateway', feature: 'UpdateManager', operation: 'apply', value: { activityId, timestamp: Date.now(), desiredState } });
    const answer = await waitFor(() => stack.cloudResponses(requestId)[0], 30_000, `the answer to apply ${activityId}`);
    return { activityId, answer };
  };
  /** Applies, answers the owner's consent with `consent` (after `whileAsked`), waits for the end. */
  const run = async (components: unknown[], want: string, consent: 'APPROVED' | 'DENIED' = 'APPROVED', whileAsked?: (activityId: string) => Promise<void>) => {
    const started = Date.now();
    const { activityId, answer } = await apply({ domains: [{ id: 'containers', components }] });
    assert.equal(answer.status, 204, JSON.stringify(answer.env));
    const end = await waitFor(
      async () => {
        for (const asked of consents().filter((c) => c.activityId === activityId && !answered.has(c.correlationId))) {
          answered.add(asked.correlationId);
          assert.equal(asked.command, 'UPDATE');
          await whileAsked?.(activityId);
          const requestId = await stack.send({ thing: 'gateway', feature: 'UpdateManager', operation: 'consent', value: { activityId, timestamp: Date.now(), ownerConsentFeedback: { status: consent } }, correlationId: asked.correlationId });
          const reply = await waitFor(() => stack.cloudResponses(requestId)[0], 30_000, 'the answer to consent');
          assert.equal(reply.status, 204, JSON.stringify(reply.env));
        }
        return final(activityId);
      },
      120_000,
      `the end of ${activityId} at the cloud`,
    );
    assert.equal(end.desiredStateFeedback.status, want, JSON.stringify(end.desiredStateFeedback));
    const seen = [...new Set(feedback().filter((f) => f.activityId === activityId).map((f) => f.desiredStateFeedback.status))];
    t.diagnostic(`${activityId}: ${seen.join(' → ')} in ${Date.now() - started} ms`);
    assert.deepEqual(seen.slice(0, 3), ['IDENTIFYING', 'IDENTIFIED', 'RUNNING'], `statuses of ${activityId}`);
    assert.ok(answered.size > 0 && consents().some((c) => c.activityId === activityId), `the owner was asked for ${activityId}`);
    const commands = wire.filter((w) => w.topic === 'containersupdate/desiredstate/command' && w.value.activityId === activityId).map((w) => w.value.payload?.command);
    return { activityId, end, commands };
  };
  // The whole flow's containers are removed at the end, whatever happened.
  t.after(async () => void (await apply({ domains: [{ id: 'containers', components: [] }] }).catch(() => undefined)));

  // v1: two containers
  // …and an apply while it waits for the owner is refused, naming the running activity
  let refused: Feedback | undefined;
  const v1 = await run([component('a', registry), component('b', registry)], 'COMPLETED', 'APPROVED', async (running) => {
    const second = await apply({ domains: [{ id: 'containers', components: [] }] });
    refused = await waitFor(() => final(second.activityId), 30_000, 'the second apply refused');
    assert.equal(refused.desiredStateFeedback.status, 'IDENTIFICATION_FAILED');
    assert.match(refused.desiredStateFeedback.message ?? '', new RegExp(running));
  });
  assert.ok(refused, 'the second apply was sent while the first waited');
  assert.deepEqual(v1.commands, ['DOWNLOAD', 'UPDATE', 'ACTIVATE', 'CLEANUP'], 'the phases in order, on the agent\'s topic');
  assert.ok(wire.some((w) => w.topic === 'containersupdate/desiredstate' && w.value.activityId === v1.activityId), 'the agent got its slice');
  assert.ok(wire.some((w) => w.topic === 'containersupdate/desiredstatefeedback' && w.value.activityId === v1.activityId), 'the agent reported');
  const afterV1 = await waitFor(() => {
    const now = ours(stack);
    return Object.keys(now).length === 2 && Object.values(now).every((c) => c.status === 'RUNNING') ? now : undefined;
  }, 30_000, 'a and b running at the cloud');

  // v2: a changed (recreated), b kept, c added with a health check that passes
  const healthy: [string, string][] = [['health.cmd', 'true'], ['health.interval', '1s']];
  await run([component('a', registry, [['env', 'VERSION=2']]), component('b', registry), component('c', registry, healthy)], 'COMPLETED');
  const afterV2 = await waitFor(() => {
    const now = ours(stack);
    return Object.keys(now).sort().join() === `${PREFIX}a,${PREFIX}b,${PREFIX}c` && Object.values(now).every((c) => c.status === 'RUNNING') ? now : undefined;
  }, 30_000, 'a, b and c running at the cloud');
  assert.notEqual(afterV2[`${PREFIX}a`]!.id, afterV1[`${PREFIX}a`]!.id, 'a is a new container');
  assert.equal(afterV2[`${PREFIX}b`]!.id, afterV1[`${PREFIX}b`]!.id, 'b was kept');

  // The owner denies an update of b: rolled back, nothing changed
  const denied = await run([component('a', registry, [['env', 'VERSION=2']]), component('b', registry, [['env', 'VERSION=3']]), component('c', registry, healthy)], 'INCOMPLETE', 'DENIED');
  assert.match(denied.end.desiredStateFeedback.message ?? '', /consent|denied|approv/i, 'the reason is the owner\'s refusal');
  assert.ok(denied.commands.includes('ROLLBACK') && !denied.commands.includes('ACTIVATE'), `rolled back before activation: ${denied.commands.join(', ')}`);
  assert.deepEqual(Object.fromEntries(Object.entries(ours(stack)).map(([k, v]) => [k, v.id])), Object.fromEntries(Object.entries(afterV2).map(([k, v]) => [k, v.id])), 'the same containers as after v2');

  if (mode === 'processes') {
    // Container management SIGKILLed in the middle of an update (downloaded, the owner not asked back yet):
    // the supervisor restarts it, its agent settles the update from its journal (the new container goes,
    // v2's stay), and the activity ends INCOMPLETE at the cloud without an answer from the owner.
    const { activityId } = await apply({ domains: [{ id: 'containers', components: [component('a', registry, [['env', 'VERSION=2']]), component('b', registry, [['env', 'VERSION=4']]), component('c', registry, healthy)] }] });
    const asked = await waitFor(() => consents().find((c) => c.activityId === activityId), 60_000, 'the owner asked (after DOWNLOAD)');
    answered.add(asked.correlationId);
    const victim = cmPid;
    assert.ok(victim !== undefined && victim !== process.pid, `container management's own process (${victim})`);
    process.kill(victim, 'SIGKILL');
    const end = await waitFor(() => final(activityId), 90_000, `the end of ${activityId} after the kill`);
    t.diagnostic(`${activityId} after container management was killed: ${end.desiredStateFeedback.status}: ${end.desiredStateFeedback.message ?? ''}`);
    assert.equal(end.desiredStateFeedback.status, 'INCOMPLETE', JSON.stringify(end.desiredStateFeedback));
    await waitFor(() => cmPid !== victim ? cmPid : undefined, 30_000, 'container management up again');
    await waitFor(() => {
      const now = ours(stack);
      return Object.keys(now).sort().join() === `${PREFIX}a,${PREFIX}b,${PREFIX}c` && Object.values(now).every((c) => c.status === 'RUNNING') && now[`${PREFIX}b`]!.id === afterV2[`${PREFIX}b`]!.id ? now : undefined;
    }, 60_000, 'v2\'s containers running, nothing left of the interrupted update, at the cloud').catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(ours(stack))}`);
    });
  }

  // v3: b changed and d added, d exits at once: activation fails, v2 comes back
  const v3 = await run(
    [component('a', registry, [['env', 'VERSION=2']]), component('b', registry, [['env', 'VERSION=3']]), component('c', registry, healthy), component('d', registry, [['restartPolicy', 'no']], ['/bin/sh', '-c', 'exit 3'])],
    'INCOMPLETE',
  );
  assert.match(v3.end.desiredStateFeedback.message ?? '', new RegExp(`${PREFIX}d`), 'the failure names the container');
  assert.ok(v3.commands.includes('ROLLBACK'), `the manager rolled back: ${v3.commands.join(', ')}`);
  await waitFor(() => {
    const now = ours(stack);
    return Object.keys(now).sort().join() === `${PREFIX}a,${PREFIX}b,${PREFIX}c` && Object.values(now).every((c) => c.status === 'RUNNING') && now[`${PREFIX}a`]!.id === afterV2[`${PREFIX}a`]!.id && now[`${PREFIX}b`]!.id === afterV2[`${PREFIX}b`]!.id ? now : undefined;
  }, 60_000, 'v2\'s containers running again, d gone, at the cloud');

  // A wrong key is refused at once, naming it; nothing changes.
  const bad = await apply({ domains: [{ id: 'containers', components: [{ id: `${PREFIX}e`, version: '1', parameters: [] }] }] });
  assert.equal(bad.answer.status, 400, JSON.stringify(bad.answer.env));
  assert.match(JSON.stringify(bad.answer.env.value), /parameters/);

  // The inventory at the cloud lists what runs.
  const asked = Date.now();
  await waitFor(() => stack.events.some((e) => e.thing === DEVICE && e.env.path.startsWith('/features/UpdateManager/properties') && JSON.stringify(e.env.value).includes(`${PREFIX}c`)), 60_000, 'c in the UpdateManager inventory at the cloud');
  t.diagnostic(`inventory at the cloud after ${Date.now() - asked} ms`);

  // An empty desired state removes them.
  await run([], 'COMPLETED');
  await waitFor(() => Object.keys(ours(stack)).length === 0, 30_000, 'the flow\'s containers gone at the cloud');
}
