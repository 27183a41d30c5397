// Desired vs current → actions, and the step lists of every phase and of the restore (tables).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultContainerConfig, type ContainerConfig } from '@ledge/container-management/model-containers';
import { actionKind, classify, type CurrentContainer, type PlannedAction } from './classify';
import { containerVersion, goDuration } from './current-state';
import { describeOp, phasePlan } from './phase-plans';
import { restorable, restorePlan, type FoundContainer } from './restore-plan';

const cfg = (name: string, image = `reg/${name}:1`, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({ ...defaultContainerConfig(name, image), ...extra });
const cur = (name: string, extra: Partial<ContainerConfig> = {}, live = true): CurrentContainer => ({ name, config: cfg(name, `reg/${name}:1`, extra), live });

describe('actionKind', () => {
  const rows: [string, ContainerConfig | undefined, ContainerConfig, string][] = [
    ['no current container', undefined, cfg('a'), 'create'],
    ['equal', cfg('a'), cfg('a'), 'keep'],
    ['env in another order is equal', cfg('a', undefined, { env: ['A=1', 'B=2'] }), cfg('a', undefined, { env: ['B=2', 'A=1'] }), 'keep'],
    ['cmd order matters', cfg('a', undefined, { cmd: ['a', 'b'] }), cfg('a', undefined, { cmd: ['b', 'a'] }), 'recreate'],
    ['another image', cfg('a'), cfg('a', 'reg/a:2'), 'recreate'],
    ['another port', cfg('a'), cfg('a', undefined, { portMappings: [{ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort: 80 }] }), 'recreate'],
    ['a health check added', cfg('a'), cfg('a', undefined, { healthCheck: { kind: 'tcp', port: 80, intervalMs: 1000, timeoutMs: 1000, retries: 1, startPeriodMs: 0 } }), 'recreate'],
    ['another restart policy', cfg('a'), cfg('a', undefined, { restartPolicy: { type: 'always' } }), 'update'],
    ['another memory limit', cfg('a', undefined, { resources: { memoryBytes: 10 << 20 } }), cfg('a', undefined, { resources: { memoryBytes: 20 << 20 } }), 'update'],
    // update() merges limits: adding or dropping one could not be rolled back in place.
    ['a memory limit added', cfg('a'), cfg('a', undefined, { resources: { memoryBytes: 20 << 20 } }), 'recreate'],
    ['a memory limit dropped', cfg('a', undefined, { resources: { memoryBytes: 20 << 20 } }), cfg('a'), 'recreate'],
  ];
  for (const [name, current, desired, kind] of rows) it(`${name} → ${kind}`, () => assert.equal(actionKind(current, desired), kind));
});

describe('classify', () => {
  it('reports components as <domain>:<name> with the desired version, destroys with the current image version', () => {
    const r = classify({
      domain: 'containers',
      desired: [{ name: 'a', version: '2', config: cfg('a', 'reg/a:2') }, { name: 'n', version: '1', config: cfg('n') }],
      current: [cur('a'), cur('old'), cur('sys')],
      systemContainers: ['sys'],
    });
    assert.ok(r.ok);
    assert.deepEqual(r.actions.map((a) => [a.kind, a.component]), [
      ['recreate', { id: 'containers:a', version: '2' }],
      ['create', { id: 'containers:n', version: '1' }],
      ['destroy', { id: 'containers:old', version: '1' }],
    ]);
  });

  it('refuses to change a system container, keeps an unchanged one', () => {
    const r = classify({ domain: 'containers', desired: [{ name: 'sys', version: '2', config: cfg('sys', 'reg/sys:2') }], current: [cur('sys')], systemContainers: ['sys'] });
    assert.deepEqual(r, { ok: false, problems: ["component 'sys' (containers:sys): is a system container (systemContainers), which this agent does not change"] });
    const same = classify({ domain: 'containers', desired: [{ name: 'sys', version: '1', config: cfg('sys') }], current: [cur('sys')], systemContainers: ['sys'] });
    assert.deepEqual(same.ok && same.actions.map((a) => a.kind), ['keep']);
  });

  it('versions as Kanto finds them in an image reference', () => {
    assert.deepEqual(['reg:5000/a/b:1.2', 'a@sha256:abc', 'reg:5000/a', 'a:'].map(containerVersion), ['1.2', 'sha256:abc', 'n/a', 'n/a']);
    assert.deepEqual([0, 30, 180, 3661].map(goDuration), ['0s', '30s', '3m0s', '1h1m1s']);
  });
});

const planned = (kind: PlannedAction['kind'], name: string, current?: CurrentContainer, desired?: ContainerConfig): PlannedAction => ({
  kind,
  name,
  component: { id: `containers:${name}` },
  message: '',
  ...(current ? { current } : {}),
  ...(desired ? { desired } : {}),
});

describe('phase plans', () => {
  const actions = [
    planned('create', 'n', undefined, cfg('n', undefined, { restartPolicy: { type: 'always' } })),
    planned('recreate', 'r', cur('r', { restartPolicy: { type: 'always' } }), cfg('r', 'reg/r:2')),
    planned('update', 'u', cur('u'), cfg('u', undefined, { restartPolicy: { type: 'no' } })),
    planned('keep', 'k', cur('k')),
    planned('destroy', 'd', cur('d', {}, false)),
  ];
  const rows: [Parameters<typeof phasePlan>[0], string[]][] = [
    ['download', ['create n.new', 'create r.new']],
    ['update', ['stop r', 'update r', 'update u']],
    ['activate', ['rename n.new → n', 'update n', 'ensure-running n', 'rename r → r.old', 'rename r.new → r', 'update r', 'ensure-running r', 'ensure-running u', 'ensure-running k']],
    ['cleanup', ['remove r.old', 'remove d']],
  ];
  for (const [phase, want] of rows) it(phase, () => assert.deepEqual(phasePlan(phase, actions).map((s) => describeOp(s.op)), want));

  it('creates new containers stopped with restart policy no (nothing starts them before ACTIVATE)', () => {
    const [step] = phasePlan('download', actions);
    assert.deepEqual(step?.op.op === 'create' && [step.op.config.name, step.op.config.hostName, step.op.config.restartPolicy], ['n.new', 'n-host', { type: 'no' }]);
  });
});

describe('restorePlan', () => {
  const found = (entries: [string, Partial<FoundContainer>][]) => new Map(entries.map(([n, f]) => [n, { live: false, restartPolicy: { type: 'unless-stopped' }, resources: {}, ...f } as FoundContainer]));
  const r = restorable(planned('recreate', 'r', cur('r')));
  const c = restorable(planned('create', 'n'));
  const u = restorable(planned('update', 'u', cur('u', { resources: { memoryBytes: 10 << 20 } })));
  const d = restorable(planned('destroy', 'd', cur('d')));
  const rows: [string, Parameters<typeof restorePlan>[0], [string, Partial<FoundContainer>][], string[]][] = [
    ['after DOWNLOAD: the new containers go', [r, c], [['r', { live: true }], ['r.new', {}], ['n.new', {}]], ['remove r.new', 'remove n.new', 'ensure-running r']],
    ['after UPDATE: the original starts again, limits go back', [r, u, d], [['r', {}], ['r.new', {}], ['u', { live: true, resources: { memoryBytes: 20 << 20 } }], ['d', {}]], ['remove r.new', 'update u', 'ensure-running r', 'ensure-running u', 'ensure-running d']],
    ['after ACTIVATE: the new ones go first, then the originals get their names back', [r, c], [['r', { live: true }], ['r.old', {}], ['n', { live: true }]], ['remove r', 'remove n', 'rename r.old → r', 'ensure-running r']],
    ['half-way through a swap', [r], [['r.old', {}], ['r.new', {}]], ['remove r.new', 'rename r.old → r', 'ensure-running r']],
    ['a parked restart policy is put back', [restorable(planned('recreate', 'r', cur('r', { restartPolicy: { type: 'always' } })))], [['r.old', { restartPolicy: { type: 'no' } }], ['r', {}]], ['remove r', 'rename r.old → r', 'update r', 'ensure-running r']],
    ['already restored: nothing to do but checks', [r, c], [['r', { live: true }]], ['ensure-running r']],
  ];
  for (const [name, acts, f, want] of rows) it(name, () => assert.deepEqual(restorePlan(acts, found(f)).map((s) => describeOp(s.op)), want));
});
