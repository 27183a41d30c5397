// The containers update agent across a restart of container management in the middle of an update, and
// its default activation gate (the manager's waitHealthy) on fake time (issue 18).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@ledge/shared/util/testing';
import { agentHarness, gateFailing, runAll, topics, v1, v2 } from '../testing/update-agent-harness';

describe('containers update agent across a restart of container management', () => {
  it('before the activation: the previous state is restored and the activity reported INCOMPLETE', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    await runAll(h, 'a1');
    await h.desired('a2', v2);
    await h.command('a2', 'DOWNLOAD');
    await h.command('a2', 'UPDATE');
    assert.deepEqual(h.containers(), { 'cache.new': 'CREATED', db: 'RUNNING', web: 'STOPPED', 'web.new': 'CREATED' });
    const h2 = await h.restart();
    assert.deepEqual(h2.containers(), { db: 'RUNNING', web: 'RUNNING' });
    assert.deepEqual(h2.runningInRuntime(), ['db', 'web']);
    assert.deepEqual([h2.last('a2').status, h2.last('a2').message], ['INCOMPLETE', 'container management restarted during the update; the previous state is restored']);
    assert.ok(h2.f.log.lines.some((l) => l['msg'] === 'interrupted update settled' && l['activityId'] === 'a2'), 'logged');
    await h2.command('a2', 'ACTIVATE');
    assert.deepEqual(h2.last('a2').message, 'ACTIVATE refused: no update in progress');
  });

  it('after a failed activation: the new containers go and the originals are back under their names', async (t) => {
    const h = await agentHarness(t);
    await h.desired('b1', v1);
    await runAll(h, 'b1');
    const again = await h.restart({ gate: gateFailing('web') });
    await again.desired('b2', v2);
    for (const c of ['DOWNLOAD', 'UPDATE', 'ACTIVATE'] as const) await again.command('b2', c);
    assert.equal(again.last('b2').status, 'ACTIVATION_FAILURE');
    assert.deepEqual(Object.keys(again.containers()), ['cache', 'db', 'web', 'web.old']);
    const after = await again.restart();
    assert.deepEqual(after.containers(), { db: 'RUNNING', web: 'RUNNING' });
    assert.equal(after.f.manager.findByName('web')!.config.imageRef, 'reg.test/web:1');
    assert.equal(after.last('b2').status, 'INCOMPLETE');
  });

  it('after a successful activation: the cleanup is finished and the activity COMPLETED', async (t) => {
    const h = await agentHarness(t);
    await h.desired('a1', v1);
    await runAll(h, 'a1');
    await h.desired('a2', v2);
    for (const c of ['DOWNLOAD', 'UPDATE', 'ACTIVATE'] as const) await h.command('a2', c);
    assert.deepEqual(Object.keys(h.containers()), ['cache', 'db', 'web', 'web.old']);
    const h2 = await h.restart();
    assert.deepEqual(h2.containers(), { cache: 'RUNNING', db: 'RUNNING', web: 'RUNNING' });
    assert.equal(h2.f.manager.findByName('web')!.config.imageRef, 'reg.test/web:2');
    assert.deepEqual([h2.last('a2').status, h2.last('a2').message], ['COMPLETED', 'container management restarted after the activation; the cleanup is done']);
  });
});

describe('the default activation gate (the manager waitHealthy)', () => {
  it('a container that exits at once fails the activation; one that keeps running passes after the settle time', async (t) => {
    const h = await agentHarness(t, { gate: undefined });
    await h.desired('a1', [v1[0]!]);
    await h.command('a1', 'DOWNLOAD');
    await h.command('a1', 'UPDATE');
    h.bus.inject(topics.command, JSON.stringify({ activityId: 'a1', timestamp: 1, payload: { command: 'ACTIVATE' } }), { qos: 1 });
    const web = await waitFor(() => h.f.manager.list().find((r) => r.config.name === 'web' && r.state.status === 'RUNNING'), 10_000, 'web running');
    h.f.runtime.exit(web.runtimeId ?? web.id, 1);
    await h.agent.idle();
    await h.bus.idle();
    assert.equal(h.last('a1').status, 'ACTIVATION_FAILURE');
    assert.match(h.last('a1').message ?? '', /^web: container web did not activate: exited with code 1/);
    await h.command('a1', 'ROLLBACK');
    assert.deepEqual(h.containers(), {});

    await h.desired('a2', [v1[0]!]);
    await h.command('a2', 'DOWNLOAD');
    await h.command('a2', 'UPDATE');
    h.bus.inject(topics.command, JSON.stringify({ activityId: 'a2', timestamp: 1, payload: { command: 'ACTIVATE' } }), { qos: 1 });
    await waitFor(() => h.f.manager.list().find((r) => r.config.name === 'web' && r.state.status === 'RUNNING'), 10_000, 'web running');
    await h.time.advance(999);
    assert.equal(h.last('a2').status, 'ACTIVATING', 'running for less than the settle time');
    await h.time.advance(1);
    await h.agent.idle();
    await h.bus.idle();
    assert.equal(h.last('a2').status, 'ACTIVATION_SUCCESS');
  });
});
