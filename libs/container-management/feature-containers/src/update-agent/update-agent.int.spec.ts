// The containers update agent on a real containerd, a local registry and a real broker (issue 18): v1 → v2
// (one image replaced, one container added) → a v3 whose new container exits at once, so the activation
// gate fails it and ROLLBACK brings v2 back. Checked in containerd (which tasks run) and on the wire (the
// feedback and current state the agent publishes). The same flows on the in-memory runtime are in
// update-agent.spec.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContainerdRuntime } from '@ledge/container-management/data-access-containerd';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { createLocalBusClient } from '@ledge/shared/data-access-mqtt';
import { findMosquitto, startMosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { envelope, updateTopics, type DesiredStateFeedback, type Envelope, type Inventory, type Status } from '@ledge/shared/model-update';
import { captureLogger, createTempDir, onCleanup, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { createContainerManager } from '../manager';
import { createContainerStore } from '../store';
import { createUpdateAgent } from './update-agent';

const skip = skipUnlessTools('needs root, containerd, runc, docker-registry, umoci, skopeo, mosquitto', !containerdAvailable() || !registryAvailable() || findMosquitto() === undefined);
const topics = updateTopics('containers');
const LOOP = 'trap "exit 0" TERM; while true; do /bin/busybox sleep 0.1; done';

/** A component running `script` in busybox on the host network (no CNI needed). */
const component = (id: string, version: string, image: string, script: string, extra: [string, string][] = []) => ({
  id,
  version,
  config: [['image', image], ['network', 'host'], ['restartPolicy', 'no'], ['cmd', '/bin/sh'], ['cmd', '-c'], ['cmd', script], ...extra].map(([key, value]) => ({ key, value })),
});

test('update agent on containerd: v1 → v2 → v3 fails its activation and is rolled back to v2', { skip, timeout: 180_000 }, async (t) => {
  const [ctrd, reg, broker] = await Promise.all([startContainerd(t), startRegistry(t), startMosquitto(t)]);
  const log = captureLogger('test', 'debug');
  const runtime = createContainerdRuntime({ socket: ctrd.socket, namespace: 'ledge-update-agent', stateDir: createTempDir(t), logger: captureLogger().logger, insecureRegistries: [reg.host] });
  const home = createTempDir(t);
  const manager = createContainerManager({ runtime, store: createContainerStore(home), logger: log.logger, defaultStopTimeoutMs: 5000 });
  const bus = createLocalBusClient({ url: broker.url, clientId: 'ledge-container-management', logger: log.logger });
  const agent = createUpdateAgent({ bus, manager, logger: log.logger, homeDir: home, activationTimeoutMs: 20_000 });
  // The update manager's side of the wire.
  const um = createLocalBusClient({ url: broker.url, clientId: 'update-manager' });
  // onCleanup runs last-registered-first: the containers go before containerd stops.
  onCleanup(t, async () => {
    await agent.close();
    await Promise.all([bus.close(), um.close()]);
    for (const r of manager.list()) await manager.remove(r.id, true);
    await manager.close();
    await runtime.close();
  });
  const feedback: Envelope<DesiredStateFeedback>[] = [];
  const states: Envelope<Inventory>[] = [];
  um.onMessage(topics.feedback, (_t, p) => void feedback.push(JSON.parse(p.toString()) as Envelope<DesiredStateFeedback>));
  um.onMessage(topics.currentState, (_t, p) => void states.push(JSON.parse(p.toString()) as Envelope<Inventory>));
  await Promise.all([bus.start(), um.start()]);
  await Promise.all([bus.waitForConnection(), um.waitForConnection()]);
  await um.subscribe([topics.feedback, topics.currentState], { qos: 1 });
  await manager.start();
  await agent.start();
  await waitFor(() => states.length > 0, 10_000, 'the current state at start');

  const of = (activityId: string) => feedback.filter((e) => e.activityId === activityId).map((e) => e.payload);
  const send = (topic: string, activityId: string, payload: unknown) => um.publish(topic, JSON.stringify(envelope(activityId, payload, Date.now())), { qos: 1 });
  const expect = async (activityId: string, topic: string, payload: unknown, until: Status) => {
    const seen = of(activityId).length;
    await send(topic, activityId, payload);
    return waitFor(() => of(activityId).slice(seen).find((f) => f.status === until || f.status.endsWith('_FAILURE') || f.status === 'IDENTIFICATION_FAILED'), 60_000, `${until} of ${activityId}`);
  };
  const apply = async (activityId: string, components: unknown[], commands: [string, Status][]) => {
    const identified = await expect(activityId, topics.desiredState, { domains: [{ id: 'containers', components }] }, 'IDENTIFIED');
    assert.equal(identified.status, 'IDENTIFIED', JSON.stringify(identified));
    let last = identified;
    for (const [command, until] of commands) {
      last = await expect(activityId, topics.command, { command }, until);
      if (last.status !== until) break;
    }
    return last;
  };
  const all: [string, Status][] = [['DOWNLOAD', 'DOWNLOAD_SUCCESS'], ['UPDATE', 'UPDATE_SUCCESS'], ['ACTIVATE', 'ACTIVATION_SUCCESS'], ['CLEANUP', 'COMPLETED']];
  /** Names of the containers whose task runs in containerd, with their engine IDs. */
  const running = async () => {
    const out: Record<string, string> = {};
    for (const r of manager.list()) {
      const rid = r.runtimeId ?? r.id;
      if ((await runtime.taskInfo(rid).catch(() => undefined))?.status === 'running') out[r.config.name] = rid;
    }
    return out;
  };

  const v1 = [component('web', '1', reg.singleRef, `echo web v1; ${LOOP}`, [['env', 'V=1']]), component('db', '1', reg.singleRef, `echo db; ${LOOP}`)];
  assert.equal((await apply('v1', v1, all)).status, 'COMPLETED');
  assert.deepEqual(Object.keys(await running()).sort(), ['db', 'web']);
  const dbEngineId = (await running())['db'];

  const v2 = [component('web', '2', reg.multiRef, `echo web v2; ${LOOP}`, [['env', 'V=2']]), v1[1], component('cache', '1', reg.singleRef, `echo cache; ${LOOP}`)];
  assert.equal((await apply('v2', v2, all)).status, 'COMPLETED');
  const afterV2 = await running();
  assert.deepEqual(Object.keys(afterV2).sort(), ['cache', 'db', 'web']);
  assert.equal(afterV2['db'], dbEngineId, 'an unchanged container is kept');
  assert.deepEqual((await runtime.listContainers()).sort(), Object.values(afterV2).sort(), "v1's web is gone from containerd");
  assert.equal(manager.findByName('web')!.config.imageRef, reg.multiRef);

  const v3 = [component('web', '3', reg.multiRef, `echo web v3; ${LOOP}`, [['env', 'V=3']]), v2[1], v2[2], component('worker', '1', reg.singleRef, 'echo starting; exit 3')];
  const failed = await apply('v3', v3, all);
  assert.equal(failed.status, 'ACTIVATION_FAILURE', JSON.stringify(failed));
  assert.match(failed.message ?? '', /^worker: container worker did not activate: exited with code 3/);
  assert.deepEqual(failed.actions?.find((a) => a.component.id === 'containers:worker')?.status, 'ACTIVATION_FAILURE');

  const rolledBack = await expect('v3', topics.command, { command: 'ROLLBACK' }, 'ROLLBACK_SUCCESS');
  assert.equal(rolledBack.status, 'ROLLBACK_SUCCESS', JSON.stringify(rolledBack));
  const afterRollback = await running();
  assert.deepEqual(afterRollback, afterV2, "v2's containers run again, in their own engine containers");
  assert.deepEqual((await runtime.listContainers()).sort(), Object.values(afterV2).sort(), "v3's containers are removed from containerd");
  assert.deepEqual(manager.findByName('web')!.config.env, ['V=2']);
  const end = await expect('v3', topics.command, { command: 'CLEANUP' }, 'INCOMPLETE');
  assert.equal(end.status, 'INCOMPLETE');

  // The inventory on the wire is v2's, retained for an update manager that connects later.
  await waitFor(() => states.at(-1)?.payload.softwareNodes?.length === 4, 10_000, 'the current state after the rollback');
  assert.deepEqual(states.at(-1)!.payload.softwareNodes?.map((n) => [n.id, n.version]), [
    ['containers-update-agent', 'dev'],
    ['containers:cache', '1'],
    ['containers:db', '1'],
    ['containers:web', '1'],
  ]);
});
