// The orchestrator with scripted agents on a fake link and fake time: Kanto's flow, the refusals issue 18
// asks for, owner consent, Ledge's rollback on failure against Kanto's rule, stalls named with their status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command, DesiredStateFeedback } from '@ledge/shared/model-update';
import type { AgentSettings } from '@ledge/update-manager/model-update-manager';
import { captureLogger, createFakeTime } from '@ledge/shared/util/testing';
import { createOrchestrator, type ActivityOutcome, type OrchestratorOptions } from './orchestrator';
import { createFakeAgentLink, createScriptedAgent, flush, type AgentScript } from './testing';

const agent = (domain: string, rebootRequired = false): AgentSettings => ({ domain, rebootRequired, readTimeoutMs: 60_000 });

function setup(o: { agents?: AgentSettings[]; options?: Partial<OrchestratorOptions>; scripts?: Record<string, AgentScript> } = {}) {
  const time = createFakeTime();
  const link = createFakeAgentLink(time.clock.now);
  const agents = o.agents ?? [agent('containers')];
  const scripted = Object.fromEntries(agents.map((a) => [a.domain, createScriptedAgent(a.domain, o.scripts?.[a.domain])]));
  for (const s of Object.values(scripted)) link.attach(s);
  const reports: { activityId: string; feedback: DesiredStateFeedback }[] = [];
  const consents: { activityId: string; command: Command }[] = [];
  const finished: ActivityOutcome[] = [];
  const log = captureLogger();
  const orchestrator = createOrchestrator({
    link,
    agents,
    ...(o.options ? { options: o.options } : {}),
    scheduler: time.scheduler,
    logger: log.logger,
    report: (activityId, feedback) => void reports.push({ activityId, feedback }),
    askConsent: (activityId, command) => void consents.push({ activityId, command }),
    onFinished: (x) => void finished.push(x),
  });
  const statuses = (activityId = 'a1') => reports.filter((r) => r.activityId === activityId).map((r) => r.feedback.status);
  const last = (activityId = 'a1') => reports.filter((r) => r.activityId === activityId).at(-1)?.feedback;
  const received = (domain: string) => scripted[domain]!.received;
  return { time, link, orchestrator, reports, consents, finished, statuses, last, received, log };
}

const desired = (...domains: string[]) => ({ domains: domains.map((id) => ({ id, components: [{ id: 'hello', version: '1.0', config: [{ key: 'image', value: 'docker.io/library/hello-world:latest' }] }] })) });
const compact = (s: readonly string[]) => s.filter((x, i) => x !== 'RUNNING' || s[i - 1] !== 'RUNNING');

describe('orchestrator: Kanto flow', () => {
  it('v1: IDENTIFYING → IDENTIFIED → RUNNING (DOWNLOAD, UPDATE, ACTIVATE, CLEANUP) → COMPLETED; each domain gets only its slice', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')] });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(compact(s.statuses()), ['IDENTIFYING', 'IDENTIFIED', 'RUNNING', 'COMPLETED']);
    for (const d of ['containers', 'os']) assert.deepEqual(s.received(d), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ACTIVATE', 'CLEANUP'], d);
    const slice = s.link.sent.find((x) => x.kind === 'desiredState' && x.domain === 'os')!.payload as { domains: { id: string }[] };
    assert.deepEqual(slice.domains.map((d) => d.id), ['os']);
    // Kanto reports activation statuses of actions as update statuses (FixActivationActionStatus).
    assert.deepEqual(s.last()?.actions, [
      { component: { id: 'containers:hello', version: '1.0' }, status: 'UPDATE_SUCCESS' },
      { component: { id: 'os:hello', version: '1.0' }, status: 'UPDATE_SUCCESS' },
    ]);
    assert.equal(s.last()?.message, undefined);
    assert.deepEqual(s.finished, [{ activityId: 'a1', status: 'COMPLETED', rebootRequired: false }]);
    assert.equal(s.orchestrator.current, undefined);
    assert.equal(s.time.pending(), 0, 'no timer left');
  });

  it('a domain with no actions gets no command; all no-op is COMPLETED after IDENTIFIED', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], scripts: { containers: { noop: true } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE']);
    assert.deepEqual(s.received('os'), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ACTIVATE', 'CLEANUP']);
    assert.equal(s.last()?.status, 'COMPLETED');

    const n = setup({ scripts: { containers: { noop: true } } });
    n.orchestrator.apply('a2', desired('containers'));
    await flush();
    assert.deepEqual(n.statuses('a2'), ['IDENTIFYING', 'IDENTIFIED', 'COMPLETED']);
    assert.deepEqual(n.received('containers'), ['DESIRED_STATE']);
  });

  it('an agent that never answers fails identification naming it; one that stalls is named with its last status', async () => {
    const s = setup({ agents: [agent('containers'), { ...agent('os'), readTimeoutMs: 30_000 }], scripts: { os: { steps: { IDENTIFY: 'silent' } } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(s.statuses(), ['IDENTIFYING']);
    await s.time.advance(30_000);
    assert.deepEqual(s.last(), { status: 'IDENTIFICATION_FAILED', message: 'os: no answer to the desired state within 30s', actions: [{ component: { id: 'containers:hello', version: '1.0' }, status: 'IDENTIFIED' }] });
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE'], 'no command after a failed identification');

    const t = setup({ scripts: { containers: { steps: { IDENTIFY: 'stall' } } } });
    t.orchestrator.apply('a1', desired('containers'));
    await flush();
    await t.time.advance(600_000);
    assert.equal(t.last()?.status, 'IDENTIFICATION_FAILED');
    assert.equal(t.last()?.message, 'identification did not finish within 10m: containers (last status IDENTIFYING)');
  });

  it('an agent that reports IDENTIFICATION_FAILED: the activity fails with its message once every domain answered', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], scripts: { os: { steps: { IDENTIFY: 'failure' } } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(s.statuses(), ['IDENTIFYING', 'IDENTIFICATION_FAILED']);
    assert.equal(s.last()?.message, 'os: os: cannot identify');
  });

  it('an agent the bus cannot reach fails identification naming it', async () => {
    const s = setup();
    s.link.failSends('containers');
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    assert.equal(s.last()?.status, 'IDENTIFICATION_FAILED');
    assert.match(s.last()?.message ?? '', /^containers: cannot send the desired state: containers: not reachable/);
  });
});

describe('orchestrator: refusals (issue 18)', () => {
  it('a desired state that does not parse fails at once naming the field; nothing is sent', async () => {
    const s = setup();
    s.orchestrator.apply('a1', { domains: [{ id: 'containers', components: [{ id: 'hello', parameters: [] }] }] });
    assert.deepEqual(s.reports, [{ activityId: 'a1', feedback: { status: 'IDENTIFICATION_FAILED', message: "desiredState.domains[0].components[0]: unknown key 'parameters' (did you mean 'config'?)" } }]);
    assert.equal(s.link.sent.length, 0);
    assert.deepEqual(s.finished.map((f) => f.status), ['IDENTIFICATION_FAILED']);
  });

  it('a domain without an agent, and an empty domain list, fail at once naming the field', () => {
    const s = setup();
    s.orchestrator.apply('a1', desired('containers', 'firmware'));
    assert.equal(s.last()?.message, "desiredState.domains[1].id: no update agent for domain 'firmware' (agents here: containers)");
    s.orchestrator.apply('a2', { domains: [] });
    assert.match(s.last('a2')?.message ?? '', /^desiredState\.domains: empty/);
    s.orchestrator.apply('a3', 'nonsense');
    assert.match(s.last('a3')?.message ?? '', /^desiredState: not an object/);
    assert.equal(s.link.sent.length, 0);
  });

  it('a second apply while one runs is refused with its own activityId, naming the running one; the first goes on', async () => {
    const s = setup({ scripts: { containers: { steps: { DOWNLOAD: 'stall' } } } });
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    s.orchestrator.apply('a2', desired('containers'));
    assert.deepEqual(s.last('a2'), { status: 'IDENTIFICATION_FAILED', message: 'another update activity is in progress: a1' });
    assert.equal(s.orchestrator.current?.activityId, 'a1');
    assert.equal(s.link.sent.filter((x) => x.activityId === 'a2').length, 0);
  });

  it('feedback of another activity or an unknown domain is ignored', async () => {
    const s = setup({ scripts: { containers: { steps: { IDENTIFY: 'silent' } } } });
    s.orchestrator.apply('a1', desired('containers'));
    s.link.feedback('containers', 'other', { status: 'IDENTIFIED', actions: [{ component: { id: 'x' }, status: 'IDENTIFIED' }] });
    s.link.feedback('os', 'a1', { status: 'IDENTIFIED' });
    await flush();
    assert.deepEqual(s.statuses(), ['IDENTIFYING']);
  });
});

describe('orchestrator: owner consent', () => {
  it('asks before the configured command and goes on when APPROVED', async () => {
    const s = setup({ options: { ownerConsentCommands: ['DOWNLOAD'] } });
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    assert.deepEqual(s.consents, [{ activityId: 'a1', command: 'DOWNLOAD' }]);
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE']);
    assert.equal(s.orchestrator.current?.awaitingConsent, 'DOWNLOAD');
    assert.equal(s.orchestrator.consent('other', 'APPROVED'), false, 'another activity');
    assert.equal(s.orchestrator.consent('a1', 'APPROVED'), true);
    await flush();
    assert.equal(s.last()?.status, 'COMPLETED');
    assert.equal(s.orchestrator.consent('a1', 'APPROVED'), false, 'nothing pending any more');
  });

  it('DENIED at UPDATE: what downloaded is rolled back, then cleaned up; INCOMPLETE with the reason', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], options: { ownerConsentCommands: ['UPDATE'] }, scripts: { os: { noop: true } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(s.consents, [{ activityId: 'a1', command: 'UPDATE' }]);
    s.orchestrator.consent('a1', 'DENIED');
    await flush();
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE', 'DOWNLOAD', 'ROLLBACK', 'CLEANUP']);
    assert.deepEqual(s.received('os'), ['DESIRED_STATE']);
    assert.equal(s.last()?.status, 'INCOMPLETE');
    assert.equal(s.last()?.message, 'the owner denied UPDATE; rolled back: containers');
  });

  it('a domain that ends on its own while the owner is asked (its agent restarted and settled the update): nothing left to ask, INCOMPLETE at once with its message', async () => {
    const s = setup({ options: { ownerConsentCommands: ['UPDATE'] } });
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    assert.equal(s.orchestrator.current?.awaitingConsent, 'UPDATE');
    s.link.feedback('containers', 'a1', { status: 'INCOMPLETE', message: 'container management restarted during the update; the previous state is restored' });
    await flush();
    assert.equal(s.last()?.status, 'INCOMPLETE');
    assert.match(s.last()?.message ?? '', /container management restarted during the update/);
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE', 'DOWNLOAD'], 'no command after the domain ended');
    assert.equal(s.orchestrator.consent('a1', 'APPROVED'), false, 'the owner\'s late answer finds nothing pending');
    assert.equal(s.time.pending(), 0, 'the consent timeout is cancelled');
  });

  it('no answer in ownerConsentTimeout: before DOWNLOAD nothing runs (INCOMPLETE); before ACTIVATE the update is rolled back', async () => {
    const s = setup({ options: { ownerConsentCommands: ['DOWNLOAD'], ownerConsentTimeoutMs: 60_000 } });
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    await s.time.advance(60_000);
    await flush();
    assert.deepEqual(s.last(), { status: 'INCOMPLETE', message: 'no owner consent for DOWNLOAD within 1m', actions: [{ component: { id: 'containers:hello', version: '1.0' }, status: 'IDENTIFIED' }] });
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE']);

    const a = setup({ options: { ownerConsentCommands: ['ACTIVATE'] } });
    a.orchestrator.apply('a1', desired('containers'));
    await flush();
    await a.time.advance(1_800_000);
    await flush();
    assert.deepEqual(a.received('containers'), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ROLLBACK', 'CLEANUP']);
    assert.equal(a.last()?.message, 'no owner consent for ACTIVATE within 30m; rolled back: containers');
  });
});

describe('orchestrator: failures', () => {
  it('ACTIVATION_FAILURE with rollbackOnFailure (default): every domain that changed is rolled back, then cleaned up; INCOMPLETE with the failing message', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], scripts: { containers: { steps: { ACTIVATE: 'failure' } } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    for (const d of ['containers', 'os']) assert.deepEqual(s.received(d), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ACTIVATE', 'ROLLBACK', 'CLEANUP'], d);
    assert.equal(s.last()?.status, 'INCOMPLETE');
    assert.equal(s.last()?.message, 'containers: ACTIVATION_FAILURE: ACTIVATE failed in containers; rolled back: containers, os');
  });

  it('ACTIVATION_FAILURE with rollbackOnFailure=false is Kanto: the failing domain is cleaned up at once, the others go on', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], options: { rollbackOnFailure: false }, scripts: { containers: { steps: { ACTIVATE: 'failure' } } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ACTIVATE', 'CLEANUP']);
    assert.deepEqual(s.received('os'), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ACTIVATE', 'CLEANUP']);
    assert.deepEqual([s.last()?.status, s.last()?.message], ['INCOMPLETE', 'containers: ACTIVATION_FAILURE: ACTIVATE failed in containers']);
  });

  it('UPDATE_FAILURE stops the activity: nobody activates, what updated is rolled back', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], scripts: { containers: { steps: { UPDATE: 'failure' } } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.deepEqual(s.received('containers'), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'CLEANUP'], 'an agent does not roll back from UPDATE_FAILURE');
    assert.deepEqual(s.received('os'), ['DESIRED_STATE', 'DOWNLOAD', 'UPDATE', 'ROLLBACK', 'CLEANUP']);
    assert.equal(s.last()?.message, 'containers: UPDATE_FAILURE: UPDATE failed in containers; rolled back: os');
  });

  it('a phase that does not end in phaseTimeout: INCOMPLETE naming the domain and its last status', async () => {
    const s = setup({ agents: [agent('containers'), agent('os')], scripts: { os: { steps: { UPDATE: 'stall' } } } });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.equal(s.orchestrator.current?.phase, 'UPDATE');
    await s.time.advance(599_999);
    assert.equal(s.orchestrator.current?.phase, 'UPDATE');
    await s.time.advance(1);
    assert.deepEqual([s.last()?.status, s.last()?.message], ['INCOMPLETE', 'UPDATE did not finish within 10m: os (last status UPDATING)']);
    assert.equal(s.time.pending(), 0);
  });

  it('an agent reporting INCOMPLETE ends its part; the activity is INCOMPLETE with its message', async () => {
    const s = setup({ scripts: { containers: { steps: { DOWNLOAD: 'stall' } } } });
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    s.link.feedback('containers', 'a1', { status: 'INCOMPLETE', message: 'disk full' });
    await flush();
    assert.deepEqual([s.last()?.status, s.last()?.message], ['INCOMPLETE', 'containers: disk full']);
  });

  it('abort ends a running activity INCOMPLETE', async () => {
    const s = setup({ scripts: { containers: { steps: { DOWNLOAD: 'stall' } } } });
    s.orchestrator.apply('a1', desired('containers'));
    await flush();
    s.orchestrator.abort('the update manager stopped');
    assert.deepEqual([s.last()?.status, s.last()?.message], ['INCOMPLETE', 'the update manager stopped']);
    assert.equal(s.time.pending(), 0);
  });
});

describe('orchestrator: reboot required', () => {
  it('only for a COMPLETED activity with actions in a domain whose agent requires it', async () => {
    const s = setup({ agents: [agent('containers'), agent('os', true)] });
    s.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.equal(s.finished[0]?.rebootRequired, true);
    const noop = setup({ agents: [agent('containers'), agent('os', true)], scripts: { os: { noop: true } } });
    noop.orchestrator.apply('a1', desired('containers', 'os'));
    await flush();
    assert.equal(noop.finished[0]?.rebootRequired, false);
    const failed = setup({ agents: [agent('os', true)], scripts: { os: { steps: { ACTIVATE: 'failure' } } } });
    failed.orchestrator.apply('a1', desired('os'));
    await flush();
    assert.deepEqual([failed.finished[0]?.status, failed.finished[0]?.rebootRequired], ['INCOMPLETE', false]);
  });
});
