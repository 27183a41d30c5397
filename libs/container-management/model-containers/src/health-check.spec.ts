import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import {
  buildContainerStatus,
  defaultContainerConfig,
  descriptorHealthCheckOf,
  formatDuration,
  formatTimestamp,
  healthCheckFromKeys,
  initialState,
  nextHealth,
  parseCreateValue,
  parseDescriptor,
  parseUpdateValue,
  type ContainerHealth,
  type HealthCheck,
} from './index';

const T = { intervalMs: 10_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 0 };
const kv = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));

describe('healthCheckFromKeys (the update manager desired state)', () => {
  const ok: [string, Record<string, string>, HealthCheck | undefined][] = [
    ['no health keys → no check', { image: 'x', 'other.key': '1' }, undefined],
    ['cmd runs in a shell, defaults', { 'health.cmd': 'pgrep app || exit 1' }, { kind: 'exec', command: ['/bin/sh', '-c', 'pgrep app || exit 1'], ...T }],
    ['http port and path', { 'health.http': '8080/healthz' }, { kind: 'http', port: 8080, path: '/healthz', ...T }],
    ['http port only → path /', { 'health.http': '80' }, { kind: 'http', port: 80, path: '/', ...T }],
    ['http keeps a query', { 'health.http': '80/ready?full=1' }, { kind: 'http', port: 80, path: '/ready?full=1', ...T }],
    ['tcp', { 'health.tcp': '1883' }, { kind: 'tcp', port: 1883, ...T }],
    [
      'every timing key',
      { 'health.tcp': '22', 'health.interval': '1m', 'health.timeout': '500ms', 'health.startPeriod': '1m30s', 'health.retries': '5' },
      { kind: 'tcp', port: 22, intervalMs: 60_000, timeoutMs: 500, retries: 5, startPeriodMs: 90_000 },
    ],
    ['startPeriod 0', { 'health.tcp': '22', 'health.startPeriod': '0s' }, { kind: 'tcp', port: 22, ...T }],
    ['values are trimmed', { 'health.tcp': ' 22 ', 'health.interval': ' 2s' }, { kind: 'tcp', port: 22, ...T, intervalMs: 2000 }],
  ];
  for (const [name, pairs, want] of ok) it(name, () => assert.deepEqual(healthCheckFromKeys(kv(pairs)), { ok: true, value: want }));

  const bad: [string, Record<string, string> | { key: string; value: string }[], RegExp][] = [
    ['timing without a probe', { 'health.interval': '10s' }, /^health\.interval: needs one of health\.cmd, health\.http, health\.tcp$/],
    ['two probes', { 'health.cmd': 'true', 'health.tcp': '22' }, /health\.tcp: give only one of .* \(also got health\.cmd\)/],
    ['unknown health key', { 'health.cmd': 'true', 'health.intervall': '1s' }, /health\.intervall: unknown key/],
    ['empty cmd', { 'health.cmd': '  ' }, /health\.cmd: must be a shell command/],
    ['http without a port', { 'health.http': '/healthz' }, /health\.http: must be <port><path>.*got '\/healthz'/],
    ['http port out of range', { 'health.http': '70000/x' }, /health\.http: must be <port><path> with a port in \[1, 65535\]/],
    ['tcp not a number', { 'health.tcp': 'ssh' }, /health\.tcp: must be a port/],
    ['tcp port 0', { 'health.tcp': '0' }, /health\.tcp: must be a port/],
    ['interval without a unit', { 'health.tcp': '22', 'health.interval': '10' }, /health\.interval: must be a duration like 10s, 500ms, 1m \(got "10"\)/],
    ['interval too short', { 'health.tcp': '22', 'health.interval': '10ms' }, /health\.interval: must be at least 100ms/],
    ['timeout 0', { 'health.tcp': '22', 'health.timeout': '0s' }, /health\.timeout: must be at least 1ms/],
    ['startPeriod garbage', { 'health.tcp': '22', 'health.startPeriod': 'soon' }, /health\.startPeriod: must be a duration/],
    ['retries 0', { 'health.tcp': '22', 'health.retries': '0' }, /health\.retries: must be an integer in \[1, 1000\]/],
    ['retries not a number', { 'health.tcp': '22', 'health.retries': 'three' }, /health\.retries: must be an integer/],
    ['a key twice', [{ key: 'health.tcp', value: '22' }, { key: 'health.tcp', value: '23' }], /health\.tcp: given more than once/],
  ];
  for (const [name, pairs, re] of bad) {
    it(`rejects ${name}`, () => {
      const r = healthCheckFromKeys(Array.isArray(pairs) ? pairs : kv(pairs));
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem, re);
    });
  }
  it('names every bad key in one problem', () => {
    const r = healthCheckFromKeys(kv({ 'health.tcp': 'x', 'health.retries': '-1' }));
    assert.ok(!r.ok && /health\.tcp: .*; health\.retries: /.test(r.problem), JSON.stringify(r));
  });
});

describe('healthCheck in a Ditto createWithConfig config', () => {
  const create = (healthCheck: unknown, extra: Record<string, unknown> = {}) => parseCreateValue({ imageRef: 'a', config: { healthCheck, ...extra } }, true);
  const ok: [string, unknown, HealthCheck][] = [
    ['EXEC with an argv', { type: 'EXEC', command: ['/bin/check', '--quick'] }, { kind: 'exec', command: ['/bin/check', '--quick'], ...T }],
    ['exec with a shell string', { type: 'exec', command: 'test -f /tmp/ok' }, { kind: 'exec', command: ['/bin/sh', '-c', 'test -f /tmp/ok'], ...T }],
    ['HTTP', { type: 'HTTP', port: 8080, path: '/healthz', interval: '2s', timeout: '1s', retries: 2, startPeriod: '30s' }, { kind: 'http', port: 8080, path: '/healthz', intervalMs: 2000, timeoutMs: 1000, retries: 2, startPeriodMs: 30_000 }],
    ['HTTP without a path', { type: 'HTTP', port: 80 }, { kind: 'http', port: 80, path: '/', ...T }],
    ['TCP', { type: 'TCP', port: 5432 }, { kind: 'tcp', port: 5432, ...T }],
  ];
  for (const [name, value, want] of ok) {
    it(name, () => {
      const r = create(value);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.value.config.healthCheck, want);
    });
  }
  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'curl localhost', /config\.healthCheck: must be an object/],
    ['no type', { command: ['x'] }, /config\.healthCheck\.type: is required \(one of EXEC, HTTP, TCP\)/],
    ['unknown type', { type: 'GRPC', port: 1 }, /config\.healthCheck\.type: unsupported value 'GRPC'/],
    ['EXEC without command', { type: 'EXEC' }, /config\.healthCheck\.command: is required for EXEC/],
    ['EXEC with an empty argv', { type: 'EXEC', command: [] }, /config\.healthCheck\.command: is required for EXEC/],
    ['EXEC with a port', { type: 'EXEC', command: ['x'], port: 80 }, /config\.healthCheck\.port: applies to HTTP and TCP checks only/],
    ['TCP with a command', { type: 'TCP', port: 1, command: ['x'] }, /config\.healthCheck\.command: applies to EXEC checks only/],
    ['TCP with a path', { type: 'TCP', port: 1, path: '/' }, /config\.healthCheck\.path: applies to HTTP checks only/],
    ['HTTP without port', { type: 'HTTP' }, /config\.healthCheck\.port: is required for HTTP/],
    ['HTTP port as a string', { type: 'HTTP', port: '80' }, /config\.healthCheck\.port: must be an integer in \[1, 65535\]/],
    ['HTTP relative path', { type: 'HTTP', port: 80, path: 'healthz' }, /config\.healthCheck\.path: must start with '\/'/],
    ['interval as a number', { type: 'TCP', port: 1, interval: 10 }, /config\.healthCheck\.interval: must be a duration like 10s/],
    ['startPeriod negative', { type: 'TCP', port: 1, startPeriod: '-1s' }, /config\.healthCheck\.startPeriod: must be a duration/],
    ['retries 0', { type: 'TCP', port: 1, retries: 0 }, /config\.healthCheck\.retries: must be an integer in \[1, 1000\]/],
  ];
  for (const [name, value, re] of bad) {
    it(`rejects ${name}`, () => {
      const r = create(value);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problems.join('; '), re);
    });
  }
  it('ON_UNHEALTHY needs a check; with one it is the policy', () => {
    const without = create(undefined, { restartPolicy: { type: 'ON_UNHEALTHY' } });
    assert.ok(!without.ok && /config\.restartPolicy\.type: ON_UNHEALTHY needs a health check \(config\.healthCheck\)/.test(without.problems.join('; ')));
    const withCheck = create({ type: 'TCP', port: 1 }, { restartPolicy: { type: 'ON_UNHEALTHY' } });
    assert.ok(withCheck.ok, JSON.stringify(withCheck));
    assert.deepEqual(withCheck.value.config.restartPolicy, { type: 'on-unhealthy' });
    assert.deepEqual(parseUpdateValue({ restartPolicy: { type: 'on-unhealthy' } }), { ok: true, value: { restartPolicy: { type: 'on-unhealthy' } } });
  });
  it('no healthCheck → no key at all (a config stored before checks existed stays equal)', () => {
    const r = parseCreateValue({ imageRef: 'a', config: {} }, true);
    assert.ok(r.ok);
    assert.equal('healthCheck' in r.value.config, false);
  });
});

describe('health_check in a deployment descriptor', () => {
  const d = (health_check: unknown, hostConfig?: unknown) => parseDescriptor({ container_name: 'a', image: { name: 'i' }, health_check, ...(hostConfig ? { host_config: hostConfig } : {}) });
  it('snake_case start_period, shell command', () => {
    const r = d({ type: 'exec', command: 'wget -q -O /dev/null http://127.0.0.1/', interval: '5s', start_period: '1m', retries: 4 });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.healthCheck, { kind: 'exec', command: ['/bin/sh', '-c', 'wget -q -O /dev/null http://127.0.0.1/'], intervalMs: 5000, timeoutMs: 5000, retries: 4, startPeriodMs: 60_000 });
  });
  it('problems name the descriptor field', () => {
    const r = d({ type: 'http', port: 80, start_period: 'later' });
    assert.ok(!r.ok && /health_check\.start_period: must be a duration/.test(r.problems.join('; ')), JSON.stringify(r));
    const p = d(undefined, { restart_policy: { type: 'on-unhealthy' } });
    assert.ok(!p.ok && /host_config\.restart_policy\.type: ON_UNHEALTHY needs a health check \(health_check\)/.test(p.problems.join('; ')), JSON.stringify(p));
    const q = d({ type: 'tcp', port: 1 }, { restart_policy: { type: 'on-unhealthy' } });
    assert.ok(q.ok && q.value.restartPolicy.type === 'on-unhealthy');
  });
  it('descriptorHealthCheckOf writes what parseDescriptor reads', () => {
    const check: HealthCheck = { kind: 'http', port: 8080, path: '/h', intervalMs: 2000, timeoutMs: 700, retries: 4, startPeriodMs: 60_000 };
    const written = descriptorHealthCheckOf(check);
    assert.deepEqual(written, { type: 'http', port: 8080, path: '/h', interval: '2s', timeout: '700ms', retries: 4, start_period: '1m' });
    const r = d(written);
    assert.ok(r.ok && isDeepStrictEqual(r.value.healthCheck, check), JSON.stringify(r));
  });
  it('absent → no key', () => {
    const r = d(undefined);
    assert.ok(r.ok && !('healthCheck' in r.value));
  });
});

describe('health in the Container:<id> status', () => {
  const at = formatTimestamp(new Date(0));
  it('no check → the Kanto shape exactly (no healthCheck, no health)', () => {
    const s = buildContainerStatus({ config: defaultContainerConfig('a', 'i'), createdAt: at, state: initialState(), health: { status: 'healthy', failingStreak: 0 } });
    assert.deepEqual(Object.keys(s), ['name', 'imageRef', 'createdAt', 'config', 'state']);
    assert.equal('healthCheck' in (s['config'] as object), false);
  });
  it('a check → config.healthCheck in the Ditto spelling and health beside state', () => {
    const config = { ...defaultContainerConfig('a', 'i'), restartPolicy: { type: 'on-unhealthy' as const }, healthCheck: { kind: 'http' as const, port: 80, path: '/h', intervalMs: 90_000, timeoutMs: 1500, retries: 2, startPeriodMs: 0 } };
    const health = { status: 'unhealthy' as const, failingStreak: 2, lastCheckAt: at, lastOutput: 'HTTP 503' };
    const s = buildContainerStatus({ config, createdAt: at, state: initialState(), health });
    const c = s['config'] as Record<string, unknown>;
    assert.deepEqual(c['healthCheck'], { type: 'HTTP', port: 80, path: '/h', interval: '1m30s', timeout: '1500ms', retries: 2, startPeriod: '0s' });
    assert.deepEqual(c['restartPolicy'], { type: 'ON_UNHEALTHY' });
    assert.deepEqual(s['health'], health);
    const roundTrip = parseCreateValue({ imageRef: 'i', config: { healthCheck: c['healthCheck'] } }, true);
    assert.ok(roundTrip.ok);
    assert.deepEqual(roundTrip.value.config.healthCheck, config.healthCheck, 'the status spelling parses back');
  });
  const durations: [number, string][] = [[0, '0s'], [500, '500ms'], [1500, '1500ms'], [10_000, '10s'], [60_000, '1m'], [3_661_000, '1h1m1s']];
  for (const [ms, want] of durations) it(`formatDuration(${ms}) = ${want}`, () => assert.equal(formatDuration(ms), want));
});

describe('nextHealth (docker\'s rules)', () => {
  const at = 'T';
  const h = (status: ContainerHealth['status'], failingStreak: number): ContainerHealth => ({ status, failingStreak });
  const table: [string, ContainerHealth, boolean, boolean, Pick<ContainerHealth, 'status' | 'failingStreak'>][] = [
    ['success while starting → healthy', h('starting', 0), true, false, h('healthy', 0)],
    ['success inside the start period → healthy at once', h('starting', 0), true, true, h('healthy', 0)],
    ['failure inside the start period does not count', h('starting', 0), false, true, h('starting', 0)],
    ['failure after it counts, status stays until retries', h('starting', 0), false, false, h('starting', 1)],
    ['retries (3) failures in a row → unhealthy', h('starting', 2), false, false, h('unhealthy', 3)],
    ['a healthy one stays healthy below retries', h('healthy', 1), false, false, h('healthy', 2)],
    ['a healthy one fails inside its start period: counts (it is not starting)', h('healthy', 2), false, true, h('unhealthy', 3)],
    ['success clears the streak of an unhealthy one', h('unhealthy', 7), true, false, h('healthy', 0)],
    ['unhealthy keeps counting', h('unhealthy', 3), false, false, h('unhealthy', 4)],
  ];
  for (const [name, prev, ok, inStartPeriod, want] of table) {
    it(name, () => assert.deepEqual(nextHealth(prev, { ok, output: 'o', at }, { retries: 3, inStartPeriod }), { ...want, lastCheckAt: at, lastOutput: 'o' }));
  }
});
