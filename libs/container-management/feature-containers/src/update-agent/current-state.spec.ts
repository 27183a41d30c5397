// The current state's CONTAINER nodes: Kanto's parameters, defaults left out unless verbose, and settings
// that copy back into a desired state unchanged (the round trip a cloud UI makes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultContainerConfig, initialState, runningState, type ContainerConfig } from '@ledge/container-management/model-containers';
import type { ContainerRecord } from '../store';
import { actionKind } from './classify';
import { componentToConfig } from './component-config';
import { containerNode, currentState } from './current-state';

const record = (config: ContainerConfig, extra: Partial<ContainerRecord> = {}): ContainerRecord => ({
  id: 'id-1',
  config,
  createdAt: '2026-01-01T00:00:00.000000000Z',
  state: runningState(initialState(), 42, new Date(0)),
  userStopped: false,
  restartCount: 0,
  restartWindowStart: 0,
  ...extra,
});

const rich: ContainerConfig = {
  ...defaultContainerConfig('web', 'reg.local:5000/web@sha256:abc'),
  env: ['A=1'],
  cmd: ['/bin/sh', '-c', 'serve'],
  privileged: true,
  networkMode: 'host',
  extraHosts: ['db:10.0.0.2'],
  portMappings: [{ proto: 'udp', containerPort: 53, hostIP: '127.0.0.1', hostPort: 5000, hostPortEnd: 5010 }],
  mountPoints: [{ source: '/data', destination: '/var/data', propagationMode: 'rshared' }],
  devices: [{ pathOnHost: '/dev/ttyACM0', pathInContainer: '/dev/ttyUSB0', cgroupPermissions: 'rw' }],
  restartPolicy: { type: 'on-failure', maxRetryCount: 5, retryTimeoutSeconds: 180 },
  resources: { memoryBytes: 200 << 20 },
  log: { type: 'json-file', maxFiles: 3, maxSizeBytes: 10 << 20, mode: 'non-blocking', maxBufferSizeBytes: 2 << 20 },
  healthCheck: { kind: 'http', port: 8080, path: '/healthz', intervalMs: 5000, timeoutMs: 5000, retries: 3, startPeriodMs: 0 },
};

describe('current state', () => {
  it('a default container shows its image, status and creation only', () => {
    const node = containerNode(record(defaultContainerConfig('a', 'reg/a:1.2')), false);
    assert.deepEqual(node, {
      id: 'a',
      version: '1.2',
      type: 'CONTAINER',
      parameters: [
        { key: 'image', value: 'reg/a:1.2' },
        { key: 'status', value: 'Running' },
        { key: 'created', value: '2026-01-01T00:00:00.000000000Z' },
      ],
    });
  });

  it('verbose shows the defaults too, in Kanto spelling', () => {
    const keys = containerNode(record(defaultContainerConfig('a', 'reg/a:1')), true).parameters?.map((p) => `${p.key}=${p.value}`);
    assert.deepEqual(keys, [
      'image=reg/a:1', 'domainName=a-domain', 'hostName=a-host', 'terminal=false', 'interactive=false', 'privileged=false',
      'restartPolicy=unless-stopped', 'restartMaxRetries=0', 'restartTimeout=0s', 'network=bridge', 'logDriver=json-file',
      'logMaxFiles=2', 'logMaxSize=100M', 'logMode=blocking', 'status=Running', 'finishedAt=', 'exitCode=0', 'created=2026-01-01T00:00:00.000000000Z',
      'restartCount=0', 'manuallyStopped=false',
    ]);
  });

  it("an exited container's facts; a health status while it has a check", () => {
    const r = record(rich, { state: { ...initialState(), status: 'EXITED', finishedAt: 'then', exitCode: 3 }, health: { status: 'unhealthy', failingStreak: 3 }, restartCount: 2 });
    const params = Object.fromEntries(containerNode(r, false).parameters!.map((p) => [p.key, p.value]));
    assert.deepEqual([params['status'], params['finishedAt'], params['exitCode'], params['restartCount'], params['health']], ['Exited', 'then', '3', '2', 'unhealthy']);
    assert.equal(containerNode(r, false).version, 'sha256:abc');
  });

  it('the settings of a node copy back into a desired state as the same container', () => {
    const facts = ['status', 'created', 'finishedAt', 'exitCode', 'restartCount', 'manuallyStopped', 'health'];
    for (const config of [rich, defaultContainerConfig('plain', 'reg/plain:1')]) {
      for (const verbose of [false, true]) {
        const node = containerNode(record(config), verbose);
        const settings = node.parameters!.filter((p) => !facts.includes(p.key));
        const back = componentToConfig({ id: config.name, version: node.version ?? '', config: settings }, 'containers');
        assert.ok(back.ok, back.ok ? '' : back.problems.join('; '));
        assert.equal(actionKind(config, back.config), 'keep', `${config.name}, verbose ${verbose}`);
      }
    }
  });

  it("the inventory: the agent's APPLICATION node associated to each container", () => {
    const inv = currentState('containers', [record(defaultContainerConfig('b', 'reg/b:1')), record(defaultContainerConfig('a', 'reg/a:1'))], { verbose: false, version: '1.0.0' });
    assert.deepEqual(inv.softwareNodes?.[0], { id: 'containers-update-agent', version: '1.0.0', name: 'Ledge Containers Update Agent', parameters: [{ key: 'domain', value: 'containers' }], type: 'APPLICATION' });
    assert.deepEqual(inv.softwareNodes?.slice(1).map((n) => n.id), ['containers:a', 'containers:b']);
    assert.deepEqual(inv.associations, [
      { sourceId: 'containers-update-agent', targetId: 'containers:a' },
      { sourceId: 'containers-update-agent', targetId: 'containers:b' },
    ]);
  });
});
