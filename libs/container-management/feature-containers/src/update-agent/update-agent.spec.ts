// The containers update agent end to end on the fake local bus and the in-memory runtime (issue 18):
// v1 → v2 → a v3 that fails its activation and is rolled back; rollbacks from other points; refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentHarness, gateFailing, runAll, topics, v1, v2, v3, type Component } from '../testing/update-agent-harness';

describe('containers update agent', () => {
  it('v1: two containers created, activated and running; the feedback follows Kanto', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    assert.deepEqual(h.statuses('a1'), ['IDENTIFYING', 'IDENTIFIED']);
    assert.deepEqual(h.last('a1').actions?.map((a) => [a.component, a.status]), [
      [{ id: 'containers:web', version: '1' }, 'IDENTIFIED'],
      [{ id: 'containers:db', version: '1' }, 'IDENTIFIED'],
    ]);
    await h.command('a1', 'DOWNLOAD');
    assert.deepEqual(h.containers(), { 'db.new': 'CREATED', 'web.new': 'CREATED' }, 'created, not started');
    for (const c of ['UPDATE', 'ACTIVATE', 'CLEANUP'] as const) await h.command('a1', c);
    assert.deepEqual(h.statuses('a1'), [
      'IDENTIFYING', 'IDENTIFIED', 'DOWNLOADING', 'DOWNLOADING', 'DOWNLOAD_SUCCESS', 'UPDATE_SUCCESS',
      'ACTIVATING', 'ACTIVATING', 'ACTIVATION_SUCCESS', 'CLEANUP', 'CLEANUP_SUCCESS', 'COMPLETED',
    ]);
    assert.deepEqual(h.last('a1').actions?.map((a) => a.status), ['ACTIVATION_SUCCESS', 'ACTIVATION_SUCCESS']);
    assert.deepEqual(h.containers(), { db: 'RUNNING', web: 'RUNNING' });
    assert.deepEqual(h.runningInRuntime(), ['db', 'web']);
    const db = h.f.manager.findByName('db')!;
    assert.deepEqual([db.config.restartPolicy, db.config.resources, db.config.hostName], [{ type: 'always' }, { memoryBytes: 64 << 20 }, 'db-host']);
    // The inventory after the operation: the agent's node and one node per container.
    const inv = h.currentStates().at(-1)!;
    assert.equal(inv.activityId, '');
    assert.deepEqual(inv.payload.softwareNodes?.map((n) => [n.id, n.version, n.type]), [
      ['containers-update-agent', 'dev', 'APPLICATION'],
      ['containers:db', '1', 'CONTAINER'],
      ['containers:web', '1', 'CONTAINER'],
    ]);
    assert.deepEqual(inv.payload.associations, [{ sourceId: 'containers-update-agent', targetId: 'containers:db' }, { sourceId: 'containers-update-agent', targetId: 'containers:web' }]);
    assert.deepEqual(inv.payload.softwareNodes?.[2]?.parameters?.filter((p) => !['created'].includes(p.key)), [
      { key: 'image', value: 'reg.test/web:1' },
      { key: 'port', value: '8080:80/tcp' },
      { key: 'env', value: 'MODE=v1' },
      { key: 'status', value: 'Running' },
    ]);
  });

  it('v2 replaces one image and adds a container; the old one is gone; v3 fails its activation gate and ROLLBACK restores v2', async (t) => {
    const h = await agentHarness(t, { gate: gateFailing('worker') });
    await h.desired('a1', v1);
    await runAll(h, 'a1');
    const dbId = h.f.manager.findByName('db')!.id;
    await h.desired('a2', v2);
    assert.deepEqual(h.last('a2').actions?.map((a) => [a.component.id, a.message]), [
      ['containers:web', 'The container will be replaced by a new one with the new configuration.'],
      ['containers:db', 'No change; the container will be checked to be running.'],
      ['containers:cache', 'A new container will be created and started.'],
    ]);
    await runAll(h, 'a2');
    assert.deepEqual(h.containers(), { cache: 'RUNNING', db: 'RUNNING', web: 'RUNNING' });
    assert.equal(h.f.manager.findByName('web')!.config.imageRef, 'reg.test/web:2');
    assert.equal(h.f.manager.findByName('db')!.id, dbId, 'unchanged containers stay');
    assert.equal(h.f.runtime.containers.size, 3, 'the original of web is removed from the engine');

    await h.desired('a3', v3);
    for (const c of ['DOWNLOAD', 'UPDATE', 'ACTIVATE'] as const) await h.command('a3', c);
    const failed = h.last('a3');
    assert.equal(failed.status, 'ACTIVATION_FAILURE');
    assert.match(failed.message ?? '', /^worker: worker is not healthy: exited with code 1$/);
    assert.deepEqual(failed.actions?.map((a) => [a.component.id, a.status]), [
      ['containers:web', 'ACTIVATION_SUCCESS'],
      ['containers:db', 'ACTIVATION_SUCCESS'],
      ['containers:cache', 'ACTIVATION_SUCCESS'],
      ['containers:worker', 'ACTIVATION_FAILURE'],
    ]);
    assert.deepEqual(Object.keys(h.containers()), ['cache', 'db', 'web', 'web.old', 'worker']);

    await h.command('a3', 'ROLLBACK');
    assert.deepEqual(h.statuses('a3').slice(-2), ['ROLLBACK', 'ROLLBACK_SUCCESS']);
    assert.deepEqual(h.containers(), { cache: 'RUNNING', db: 'RUNNING', web: 'RUNNING' });
    assert.equal(h.f.manager.findByName('web')!.config.imageRef, 'reg.test/web:2', "v2's web is back under its name");
    assert.deepEqual(h.runningInRuntime(), ['cache', 'db', 'web']);
    assert.equal(h.f.runtime.containers.size, 3, "v3's containers are removed from the engine");
    assert.deepEqual(h.last('a3').actions?.map((a) => a.status), ['UPDATE_FAILURE', 'ACTIVATION_SUCCESS', 'ACTIVATION_SUCCESS', 'UPDATE_FAILURE']);
    await h.command('a3', 'CLEANUP');
    assert.deepEqual(h.statuses('a3').slice(-2), ['CLEANUP_SUCCESS', 'INCOMPLETE']);
  });

  it('ROLLBACK after UPDATE: the new containers go, the stopped originals run again with their old limits', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    await runAll(h, 'a1');
    const changed: Component[] = [{ ...v1[0]!, config: [['image', 'reg.test/web:9'], ['port', '8080:80']] }, { ...v1[1]!, config: [['image', 'reg.test/db:1'], ['restartPolicy', 'always'], ['memory', '128M']] }];
    await h.desired('a2', changed);
    assert.deepEqual(h.last('a2').actions?.map((a) => a.message), ['The container will be replaced by a new one with the new configuration.', 'The container will be updated in place (restart policy, memory limits).']);
    await h.command('a2', 'DOWNLOAD');
    await h.command('a2', 'UPDATE');
    assert.deepEqual(h.containers(), { db: 'RUNNING', web: 'STOPPED', 'web.new': 'CREATED' });
    assert.equal(h.f.manager.findByName('db')!.config.resources.memoryBytes, 128 << 20);
    await h.command('a2', 'ROLLBACK');
    assert.equal(h.last('a2').status, 'ROLLBACK_SUCCESS', JSON.stringify(h.last('a2')));
    assert.deepEqual(h.containers(), { db: 'RUNNING', web: 'RUNNING' });
    assert.deepEqual([h.f.manager.findByName('web')!.config.imageRef, h.f.manager.findByName('db')!.config.resources.memoryBytes], ['reg.test/web:1', 64 << 20]);
    assert.deepEqual(h.runningInRuntime(), ['db', 'web']);
  });

  it('ROLLBACK after a successful activation (the update manager undoing a multi-domain update) brings v1 back', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    await runAll(h, 'a1');
    await h.desired('a2', v2);
    for (const c of ['DOWNLOAD', 'UPDATE', 'ACTIVATE'] as const) await h.command('a2', c);
    assert.equal(h.last('a2').status, 'ACTIVATION_SUCCESS');
    await h.command('a2', 'ROLLBACK');
    assert.equal(h.last('a2').status, 'ROLLBACK_SUCCESS');
    assert.deepEqual(h.containers(), { db: 'RUNNING', web: 'RUNNING' });
    assert.equal(h.f.manager.findByName('web')!.config.imageRef, 'reg.test/web:1');
    // A restart now must not finish the activated update's cleanup: the journal says restore.
    const h2 = await h.restart();
    assert.deepEqual(h2.containers(), { db: 'RUNNING', web: 'RUNNING' });
    assert.equal(h2.f.manager.findByName('web')!.config.imageRef, 'reg.test/web:1');
    assert.equal(h2.last('a2').status, 'INCOMPLETE');
  });

  it("CLEANUP after a failed phase (what Kanto's update manager sends) restores first, then INCOMPLETE", async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    await runAll(h, 'a1');
    h.f.runtime.missingImages.add('reg.test/cache:1');
    await h.desired('a2', v2);
    await h.command('a2', 'DOWNLOAD');
    assert.equal(h.last('a2').status, 'DOWNLOAD_FAILURE');
    assert.match(h.last('a2').message ?? '', /^cache: create cache\.new failed: cannot pull image reg\.test\/cache:1/);
    assert.deepEqual(Object.keys(h.containers()), ['db', 'web', 'web.new']);
    await h.command('a2', 'UPDATE');
    assert.deepEqual([h.last('a2').status, h.last('a2').message], ['UPDATE_FAILURE', 'UPDATE is possible only after DOWNLOAD_SUCCESS (the operation is at DOWNLOAD_FAILURE)']);
    await h.command('a2', 'CLEANUP');
    assert.deepEqual(h.statuses('a2').slice(-3), ['CLEANUP', 'CLEANUP_SUCCESS', 'INCOMPLETE']);
    assert.deepEqual(h.containers(), { db: 'RUNNING', web: 'RUNNING' });
  });

  it('destroys what the desired state leaves out, except system containers', async (t) => {
    const h = await agentHarness(t, { systemContainers: ['db'] });
    await h.f.manager.create(h.f.config('db', 'reg.test/db:1'), { named: true, start: true });
    await h.desired('a0', v1);
    assert.match(h.last('a0').message ?? '', /component 'db' \(containers:db\): is a system container \(systemContainers\), which this agent does not change/);
    await h.desired('a1', [v1[0]!, { id: 'extra', version: '1' }]);
    await runAll(h, 'a1');
    await h.desired('a2', []);
    assert.deepEqual(h.last('a2').actions?.map((a) => [a.component, a.status]), [
      [{ id: 'containers:extra', version: '1' }, 'IDENTIFIED'],
      [{ id: 'containers:web', version: '1' }, 'IDENTIFIED'],
    ]);
    await h.command('a2', 'DOWNLOAD');
    await h.command('a2', 'UPDATE');
    assert.deepEqual(h.last('a2').actions?.map((a) => a.status), ['REMOVING', 'REMOVING']);
    assert.deepEqual(h.containers(), { db: 'RUNNING', extra: 'STOPPED', web: 'STOPPED' }, 'stopped until the cleanup, so a rollback can start them');
    await h.command('a2', 'ACTIVATE');
    await h.command('a2', 'CLEANUP');
    assert.deepEqual(h.last('a2').actions?.map((a) => a.status), ['REMOVAL_SUCCESS', 'REMOVAL_SUCCESS']);
    assert.equal(h.last('a2').status, 'COMPLETED');
    assert.deepEqual(h.containers(), { db: 'RUNNING' });
    // A desired state may name its own list (Kanto's domain key).
    await h.desired('a3', [], [{ key: 'systemContainers', value: 'x, y' }]);
    assert.deepEqual(h.last('a3').actions?.map((a) => a.component.id), ['containers:db']);
  });

  it('a container to destroy that is removed meanwhile (by the cloud, by ledge cm rm) does not fail the update', async (t) => {
    const h = await agentHarness(t);
    await h.f.manager.create(h.f.config('old', 'reg.test/old:1'), { named: true, start: true });
    await h.f.manager.create(h.f.config('parked', 'reg.test/old:1'), { named: true, start: false });
    await h.f.manager.update(h.f.manager.findByName('parked')!.id, { restartPolicy: { type: 'always' } });
    await h.desired('a1', [v1[0]!]);
    await h.command('a1', 'DOWNLOAD');
    for (const name of ['old', 'parked']) await h.f.manager.remove(h.f.manager.findByName(name)!.id, true);
    for (const c of ['UPDATE', 'ACTIVATE', 'CLEANUP'] as const) await h.command('a1', c);
    assert.equal(h.last('a1').status, 'COMPLETED');
    assert.deepEqual(h.containers(), { web: 'RUNNING' });
  });

  it('a malformed component is IDENTIFICATION_FAILED naming the component and the key; nothing changes', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', [{ id: 'web', version: '1', config: [['memory', 'lots'], ['ports', '80:80']] }]);
    assert.deepEqual(h.statuses('a1'), ['IDENTIFYING', 'IDENTIFICATION_FAILED']);
    assert.match(h.last('a1').message ?? '', /component 'web' \(containers:web\): key 'ports': unknown key/);
    await h.send(topics.desiredState, 'a2', { domains: [{ id: 'containers', components: [{ id: 'x', parameters: [] }] }] });
    assert.match(h.last('a2').message ?? '', /unknown key 'parameters' \(did you mean 'config'\?\)/);
    await h.send(topics.desiredState, 'a3', { domains: [{ id: 'other' }] });
    assert.match(h.last('a3').message ?? '', /no domain 'containers'/);
    assert.deepEqual(h.containers(), {});
  });

  it('a desired state equal to none of the containers at all completes at once', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', []);
    assert.deepEqual(h.statuses('a1'), ['IDENTIFYING', 'IDENTIFIED', 'COMPLETED']);
  });

  it('answers commands for another activity, without an operation, out of order or for a baseline', async (t) => {
    const h = await agentHarness(t);
    await h.command('zz', 'DOWNLOAD');
    assert.deepEqual([h.last('zz').status, h.last('zz').message], ['DOWNLOAD_FAILURE', 'DOWNLOAD refused: no update in progress']);
    await h.desired('a1', v1);
    await h.command('zz', 'UPDATE');
    assert.deepEqual([h.last('zz').status, h.last('zz').message], ['UPDATE_FAILURE', 'UPDATE refused: the update in progress is activity a1']);
    await h.command('a1', 'ACTIVATE');
    assert.match(h.last('a1').message ?? '', /ACTIVATE is possible only after UPDATE_SUCCESS \(the operation is at IDENTIFIED\)/);
    await h.command('a1', 'DOWNLOAD', 'containers:web');
    assert.deepEqual([h.last('a1').status, h.last('a1').baseline], ['DOWNLOAD_FAILURE', 'containers:web']);
    await h.send(topics.command, 'a1', { command: 'REBOOT' });
    assert.match(h.last('a1').message ?? '', /command refused: command\.command: "REBOOT" is not one of/);
    assert.deepEqual(h.containers(), {}, 'none of it changed anything');
    await runAll(h, 'a1');
  });

  it('a newer desired state ends the pending update: restored, reported INCOMPLETE, the new one identified', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    await h.command('a1', 'DOWNLOAD');
    await h.desired('a2', v1);
    assert.deepEqual([h.last('a1').status, h.last('a1').message], ['INCOMPLETE', 'superseded by activity a2: the previous state is restored']);
    assert.deepEqual(h.statuses('a2'), ['IDENTIFYING', 'IDENTIFIED']);
    assert.deepEqual(h.containers(), {});
    await runAll(h, 'a2');
  });

  it('current state: at start, at once on currentstate/get, debounced after container changes', async (t) => {
    const h = await agentHarness(t, { reportDelayMs: 1000 });
    const first = h.currentStates();
    assert.equal(first.length >= 1, true);
    assert.match(first[0]!.activityId, /^initial-current-state-\d+$/);
    assert.deepEqual(h.bus.retained(topics.currentState) !== undefined, true, 'retained');
    await h.send(topics.currentStateGet, 'g1', {});
    assert.equal(h.currentStates().at(-1)!.activityId, 'g1');
    const before = h.currentStates().length;
    const r = await h.f.manager.create(h.f.config('manual', 'reg.test/m:1'), { named: true, start: true });
    await h.f.manager.stop(r.id);
    await h.bus.idle();
    assert.equal(h.currentStates().length, before, 'not yet');
    await h.time.advance(1000);
    await h.bus.idle();
    assert.equal(h.currentStates().length, before + 1, 'one report for both changes');
    const node = h.currentStates().at(-1)!.payload.softwareNodes?.find((n) => n.id === 'containers:manual');
    assert.deepEqual(node?.parameters?.filter((p) => ['status', 'restartPolicy', 'manuallyStopped'].includes(p.key)), [
      { key: 'restartPolicy', value: 'no' },
      { key: 'status', value: 'Stopped' },
      { key: 'manuallyStopped', value: 'true' },
    ]);
  });
});
