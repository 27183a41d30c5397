import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatStatus, problemsOf, type GatewayStatus } from './report';

const up = (pid: number) => ({ status: 'up' as const, pid, version: '0.1.0', since: 1_796_000_000 });
const healthy: GatewayStatus = {
  at: 1_796_000_100,
  bus: { address: 'tcp://127.0.0.1:1883', reachable: true },
  cloud: { connected: true, timestamp: 1_796_000_090, outbox: { depth: 0, oldestAgeMs: 0 } },
  apps: { connector: up(11), broker: { ...up(10), stats: { clients: 6, sessions: 2, queued: 0 } } },
  containers: { total: 3, byState: { Running: 2, Stopped: 1 } },
  disk: [{ path: '/var/lib/ledge/broker', bytes: 1536 }],
};

describe('ledge status report', () => {
  it('all well: no problems, OK', () => {
    assert.deepEqual(problemsOf(healthy), []);
    assert.equal(
      formatStatus(healthy, []),
      [
        'Local bus:  tcp://127.0.0.1:1883',
        'Cloud:      connected, outbox 0 queued',
        'Apps:',
        '  broker     up    pid 10, since 2026-11-30T00:53:20Z, version 0.1.0, clients 6, sessions 2, queued 0',
        '  connector  up    pid 11, since 2026-11-30T00:53:20Z, version 0.1.0',
        'Containers: 2 running, 1 stopped',
        'Disk:       /var/lib/ledge/broker 1.5 KiB',
        'Status:     OK',
        '',
      ].join('\n'),
    );
  });

  it('names every problem: a dead app, a cloud link down with a backlog, no connector', () => {
    const s: GatewayStatus = {
      ...healthy,
      cloud: { connected: false, timestamp: 1, cause: 'CONNECTION_ERROR', outbox: { depth: 12, oldestAgeMs: 34_000 } },
      apps: { ...healthy.apps, 'software-update': { ...up(12), status: 'down', reason: 'lost', restarts: 2 } },
    };
    const problems = problemsOf(s);
    assert.deepEqual(problems, ['cloud link down: CONNECTION_ERROR', 'software-update is down (lost) since 2026-11-30T00:53:20Z']);
    const text = formatStatus(s, problems);
    assert.match(text, /^Cloud: {6}disconnected: CONNECTION_ERROR, outbox 12 queued, oldest 34 s$/m);
    assert.match(text, /^ {2}software-update {2}DOWN {2}pid 12, .*2 restarts, lost$/m);
    assert.match(text, /^Status: {5}2 problems$/m);
    const { cloud: _c, ...noConnector } = healthy;
    assert.deepEqual(problemsOf({ ...noConnector, apps: {} }), ['no connection status on the bus: is the connector running?', 'no app reports its health on edge/health/+']);
  });

  it('an unreachable bus is the one problem; containers that cannot be listed are not one', () => {
    const s: GatewayStatus = { ...healthy, bus: { address: 'tcp://127.0.0.1:1', reachable: false, error: 'connect ECONNREFUSED 127.0.0.1:1' }, containers: { unavailable: 'no daemon' } };
    assert.deepEqual(problemsOf(s), ['the local broker at tcp://127.0.0.1:1 is unreachable (connect ECONNREFUSED 127.0.0.1:1)']);
    assert.match(formatStatus(s, problemsOf(s)), /^Containers: not available \(no daemon\)$/m);
    assert.deepEqual(problemsOf({ ...healthy, containers: { unavailable: 'no daemon' } }), []);
  });

  it('shows software update\'s last operation under the apps; a failed one is not a problem (exit code 0)', () => {
    const failed: GatewayStatus = {
      ...healthy,
      apps: {
        ...healthy.apps,
        'software-update': { ...up(12), lastOperation: { correlationId: 'cid-9', status: 'FINISHED_ERROR', at: 1_796_000_050, module: 'hello:1.0.0', message: 'fail to\n download module' } },
      },
    };
    assert.deepEqual(problemsOf(failed), []);
    const text = formatStatus(failed, problemsOf(failed));
    assert.match(text, /^ {2}software-update {2}up {4}pid 12, since 2026-11-30T00:53:20Z, version 0\.1\.0\nLast update: hello:1\.0\.0 FINISHED_ERROR at 2026-11-30T00:54:10Z \(fail to download module\)\nContainers:/m);
    assert.match(text, /^Status: {5}OK$/m);
    // no module: the correlation ID names it; no message: nothing in brackets
    const bare: GatewayStatus = { ...healthy, apps: { 'software-update': { ...up(12), lastOperation: { correlationId: 'cid-9', status: 'FINISHED_SUCCESS', at: 1_796_000_050 } } } };
    assert.match(formatStatus(bare, []), /^Last update: cid-9 FINISHED_SUCCESS at 2026-11-30T00:54:10Z$/m);
    // no line without one (nothing installed yet, or software update not running)
    assert.doesNotMatch(formatStatus(healthy, []), /Last update/);
  });

  it('formats sizes', () => {
    assert.deepEqual([0, 1023, 1024, 10 * 1024 * 1024, 5 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.0 KiB', '10 MiB', '5.0 GiB']);
  });
});
