// The pieces around the orchestrator on fake time: RUNNING feedback throttled as Kanto's notifier does, the
// current state (outdated reports dropped, a get that an agent does not answer), what follows an activity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DesiredStateFeedback, Inventory } from '@ledge/shared/model-update';
import { managerNode } from '@ledge/update-manager/model-update-manager';
import { captureLogger, createFakeTime } from '@ledge/shared/util/testing';
import { createAfterActivity } from './after-activity';
import { createCurrentState } from './current-state';
import { createFeedbackPublisher } from './feedback-publisher';
import { rebootFailedError } from './errors';
import { systemdReboot } from './reboot';
import { createFakeAgentLink, flush } from './testing';

const running = (n: number): DesiredStateFeedback => ({ status: 'RUNNING', actions: [{ component: { id: 'containers:a' }, status: 'DOWNLOADING', progress: n }] });

describe('feedback publisher', () => {
  it('RUNNING: the first at once, then at most one per interval with the latest actions, only when they changed', async () => {
    const time = createFakeTime();
    const out: [string, DesiredStateFeedback][] = [];
    const p = createFeedbackPublisher({ intervalMs: 60_000, scheduler: time.scheduler, publish: (a, f) => void out.push([a, f]) });
    p.report('a1', { status: 'IDENTIFYING' });
    p.report('a1', running(10));
    p.report('a1', running(20));
    p.report('a1', running(30));
    assert.deepEqual(out.map(([, f]) => f.actions?.[0]?.progress ?? f.status), ['IDENTIFYING', 10]);
    await time.advance(60_000);
    assert.deepEqual(out.map(([, f]) => f.actions?.[0]?.progress ?? f.status).slice(2), [30]);
    await time.advance(60_000);
    assert.equal(out.length, 3, 'nothing changed: nothing sent');
    p.report('b9', { status: 'IDENTIFICATION_FAILED', message: 'another update activity is in progress: a1' });
    p.report('a1', running(40));
    await time.advance(60_000);
    assert.deepEqual(out.map(([a, f]) => `${a}:${f.actions?.[0]?.progress ?? f.status}`).slice(3), ['b9:IDENTIFICATION_FAILED', 'a1:40'], "another activity's refusal does not end a1's reports");
    p.report('a1', { status: 'COMPLETED' });
    assert.equal(time.pending(), 0, 'a final status ends the throttle');
  });

  it('interval 0: no RUNNING at all (Kanto)', () => {
    const time = createFakeTime();
    const out: DesiredStateFeedback[] = [];
    const p = createFeedbackPublisher({ intervalMs: 0, scheduler: time.scheduler, publish: (_a, f) => void out.push(f) });
    p.report('a1', running(1));
    p.report('a1', { status: 'COMPLETED' });
    assert.deepEqual(out.map((f) => f.status), ['COMPLETED']);
  });
});

describe('current state', () => {
  it('drops an outdated report; a get that an agent does not answer reports the last known after its readTimeout', async () => {
    const time = createFakeTime();
    const link = createFakeAgentLink(time.clock.now);
    const out: [string, Inventory][] = [];
    const cs = createCurrentState({
      link,
      agents: [{ domain: 'containers', rebootRequired: false, readTimeoutMs: 5_000 }],
      manager: managerNode('device', '1'),
      delayMs: 0,
      scheduler: time.scheduler,
      logger: captureLogger().logger,
      publish: (a, i) => void out.push([a, i]),
    });
    link.currentState('containers', '', { softwareNodes: [{ id: 'new' }] }, 200);
    link.currentState('containers', '', { softwareNodes: [{ id: 'old' }] }, 100);
    assert.deepEqual(out.map(([, i]) => i.softwareNodes?.map((n) => n.id)), [['device-update-manager', 'new']]);
    const got = cs.refresh('g1');
    await flush();
    assert.equal(out.length, 1, 'waiting for the agent');
    await time.advance(5_000);
    assert.deepEqual((await got).softwareNodes?.map((n) => n.id), ['device-update-manager', 'new']);
    assert.equal(out.at(-1)?.[0], 'g1');
    cs.close();
  });
});

describe('after an activity', () => {
  it('refreshes the current state with the activity, keeps the outcome for health, then reboots only when required and enabled', async () => {
    const time = createFakeTime();
    const log = captureLogger();
    const refreshed: string[] = [];
    let reboots = 0;
    const ops: unknown[] = [];
    const make = (rebootEnabled: boolean) =>
      createAfterActivity({
        refresh: async (a) => void refreshed.push(a),
        reboot: async () => void reboots++,
        rebootEnabled,
        rebootAfterMs: 30_000,
        scheduler: time.scheduler,
        now: time.clock.now,
        logger: log.logger,
        onOutcome: (op) => void ops.push(op),
      });
    const after = make(true);
    after.handle({ activityId: 'a1', status: 'INCOMPLETE', message: 'x'.repeat(2000), rebootRequired: false });
    after.handle({ activityId: 'a2', status: 'COMPLETED', rebootRequired: true });
    await flush();
    assert.deepEqual(refreshed, ['a1', 'a2']);
    assert.equal((ops[0] as { message: string }).message.length, 1024, 'health keeps messages short');
    assert.deepEqual(ops[1], { correlationId: 'a2', status: 'COMPLETED', at: Math.floor(time.clock.now() / 1000) });
    await time.advance(30_000);
    assert.equal(reboots, 1);
    const off = make(false);
    off.handle({ activityId: 'a3', status: 'COMPLETED', rebootRequired: true });
    await flush();
    await time.advance(60_000);
    assert.equal(reboots, 1);
    const closing = make(true);
    closing.handle({ activityId: 'a4', status: 'COMPLETED', rebootRequired: true });
    await flush();
    await closing.close();
    await time.advance(60_000);
    assert.equal(reboots, 1, 'a reboot not yet started is cancelled by close');
  });

  it('systemctl reboot: its failure is LEDGE_UM_REBOOT_FAILED with systemd\'s words', async () => {
    const calls: string[][] = [];
    await systemdReboot(async (f, a) => void calls.push([f, ...a]))();
    assert.deepEqual(calls, [['systemctl', 'reboot']]);
    await assert.rejects(
      systemdReboot(async () => {
        throw Object.assign(new Error('exit 1'), { stderr: 'Access denied' });
      })(),
      (e: Error & { code?: string }) => e.code === 'LEDGE_UM_REBOOT_FAILED' && /Access denied/.test(e.message),
    );
    assert.equal(rebootFailedError('x').kind, 'Internal');
  });
});
