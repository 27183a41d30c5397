import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDescriptor } from '@ledge/container-management/model-containers';
import { descriptorFromFlags, healthCheckFromFlags, parseDeviceFlag, parseMountFlag, parsePortFlag, updateFromFlags, UsageError, type CreateFlags } from './create-flags';

describe('create flags → §4.2 descriptor', () => {
  const ports: [string, Record<string, unknown> | RegExp][] = [
    ['80:8080', { proto: 'tcp', container_port: 8080, host_ip: '0.0.0.0', host_port: 80 }],
    ['127.0.0.1:5000-5010:5000/udp', { proto: 'udp', container_port: 5000, host_ip: '127.0.0.1', host_port: 5000, host_port_end: 5010 }],
    ['8080/TCP', /expected/],
    ['70000:80', /out of range/],
    ['90-80:80', /range end/],
    ['a:b', /expected/],
  ];
  for (const [flag, want] of ports) {
    it(`--ports ${flag}`, () => {
      if (want instanceof RegExp) assert.throws(() => parsePortFlag(flag), (e: Error) => e instanceof UsageError && want.test(e.message));
      else assert.deepEqual(parsePortFlag(flag), want);
    });
  }

  it('--devices and --mp: defaults rwm and rprivate; malformed is a usage error', () => {
    assert.deepEqual(parseDeviceFlag('/dev/ttyUSB0:/dev/ttyUSB0'), { path_on_host: '/dev/ttyUSB0', path_in_container: '/dev/ttyUSB0', cgroup_permissions: 'rwm' });
    assert.deepEqual(parseDeviceFlag('/dev/a:/dev/b:r'), { path_on_host: '/dev/a', path_in_container: '/dev/b', cgroup_permissions: 'r' });
    assert.throws(() => parseDeviceFlag('/dev/a:/dev/b:x'), UsageError);
    assert.throws(() => parseDeviceFlag('/dev/a'), UsageError);
    assert.deepEqual(parseMountFlag('/data:/var/data'), { source: '/data', destination: '/var/data', propagation_mode: 'rprivate' });
    assert.deepEqual(parseMountFlag('/a:/b:rshared'), { source: '/a', destination: '/b', propagation_mode: 'rshared' });
    assert.throws(() => parseMountFlag(':/b'), UsageError);
  });

  it('only the image: a minimal descriptor with no name', () => {
    assert.deepEqual(descriptorFromFlags({ image: 'docker.io/library/influxdb:1.8.4' }), { image: { name: 'docker.io/library/influxdb:1.8.4' } });
  });

  it('every mapped flag lands where the daemon (parseDescriptor) reads it', () => {
    const d = descriptorFromFlags({
      name: 'web',
      image: 'reg/nginx:1',
      command: 'sh',
      args: ['-c', 'echo hi'],
      t: true,
      i: true,
      privileged: true,
      rp: 'on-failure',
      rpCnt: 3,
      rpTo: 60,
      devices: ['/dev/a:/dev/b'],
      ports: ['80:8080'],
      network: 'host',
      hosts: ['db:10.0.0.2'],
      mp: ['/a:/b'],
      e: ['A=1', 'B=2'],
      logDriver: 'json-file',
      logMaxFiles: 3,
      logMaxSize: '10M',
      logMode: 'non-blocking',
      logMaxBufferSize: '2M',
      memory: '200M',
      memoryReservation: '100M',
      memorySwap: '-1',
      capAdd: ['CAP_NET_ADMIN'],
    });
    const parsed = parseDescriptor(d);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const c = parsed.value;
    assert.equal(c.name, 'web');
    assert.deepEqual(c.cmd, ['sh', '-c', 'echo hi']);
    assert.deepEqual(c.env, ['A=1', 'B=2']);
    assert.deepEqual([c.tty, c.openStdin, c.privileged, c.networkMode], [true, true, true, 'host']);
    assert.deepEqual(c.restartPolicy, { type: 'on-failure', maxRetryCount: 3, retryTimeoutSeconds: 60 });
    assert.deepEqual(c.devices, [{ pathOnHost: '/dev/a', pathInContainer: '/dev/b', cgroupPermissions: 'rwm' }]);
    assert.deepEqual(c.portMappings, [{ proto: 'tcp', containerPort: 8080, hostIP: '0.0.0.0', hostPort: 80 }]);
    assert.deepEqual(c.extraHosts, ['db:10.0.0.2']);
    assert.deepEqual(c.extraCapabilities, ['CAP_NET_ADMIN']);
    assert.deepEqual(c.mountPoints, [{ source: '/a', destination: '/b', propagationMode: 'rprivate' }]);
    assert.deepEqual(c.resources, { memoryBytes: 200 * 1024 ** 2, memoryReservationBytes: 100 * 1024 ** 2, memorySwapBytes: -1 });
    assert.deepEqual([c.log.type, c.log.maxFiles, c.log.maxSizeBytes, c.log.mode, c.log.maxBufferSizeBytes], ['json-file', 3, 10 * 1024 ** 2, 'non-blocking', 2 * 1024 ** 2]);
  });

  it('--rp-cnt without on-failure is a usage error; --rp-cnt alone implies on-failure', () => {
    assert.throws(() => descriptorFromFlags({ image: 'x', rp: 'always', rpCnt: 2 }), UsageError);
    assert.deepEqual((descriptorFromFlags({ image: 'x', rpCnt: 2 })['host_config'] as Record<string, unknown>)['restart_policy'], { type: 'on-failure', maximum_retry_count: 2 });
  });

  it('update flags → the Ditto update value; nothing to update is a usage error', () => {
    assert.deepEqual(updateFromFlags({ rp: 'on-failure', rpCnt: 2, memory: '64M' }), { restartPolicy: { type: 'on-failure', maxRetryCount: 2 }, resources: { memory: '64M' } });
    assert.deepEqual(updateFromFlags({ rp: 'no' }), { restartPolicy: { type: 'no' } });
    assert.throws(() => updateFromFlags({}), UsageError);
  });
});

describe('--health-* flags → the descriptor\'s health_check (issue 18)', () => {
  const T = { intervalMs: 10_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 0 };
  const ok: [string, Partial<CreateFlags>, unknown][] = [
    ['--health-cmd runs in a shell', { healthCmd: 'pgrep app' }, { kind: 'exec', command: ['/bin/sh', '-c', 'pgrep app'], ...T }],
    ['--health-http with a path', { healthHttp: '8080/healthz' }, { kind: 'http', port: 8080, path: '/healthz', ...T }],
    [
      '--health-tcp with every timing flag',
      { healthTcp: '1883', healthInterval: '2s', healthTimeout: '500ms', healthRetries: 5, healthStartPeriod: '1m' },
      { kind: 'tcp', port: 1883, intervalMs: 2000, timeoutMs: 500, retries: 5, startPeriodMs: 60_000 },
    ],
  ];
  for (const [name, flags, want] of ok) {
    it(name, () => {
      const parsed = parseDescriptor(descriptorFromFlags({ image: 'reg/app:1', name: 'app', ...flags }));
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.deepEqual(parsed.value.healthCheck, want);
    });
  }
  it('no --health-* flag → no health_check, --rp on-unhealthy is for the daemon to refuse', () => {
    assert.equal(healthCheckFromFlags({}), undefined);
    assert.equal('health_check' in descriptorFromFlags({ image: 'x' }), false);
    const d = descriptorFromFlags({ image: 'x', name: 'x', rp: 'on-unhealthy', healthTcp: '80' });
    assert.ok(parseDescriptor(d).ok);
    const without = parseDescriptor(descriptorFromFlags({ image: 'x', name: 'x', rp: 'on-unhealthy' }));
    assert.ok(!without.ok && /ON_UNHEALTHY needs a health check/.test(without.problems.join()));
  });
  const bad: [string, Partial<CreateFlags>, RegExp][] = [
    ['timing without a probe', { healthInterval: '5s' }, /^--health-interval: needs one of --health-cmd, --health-http, --health-tcp$/],
    ['two probes', { healthCmd: 'true', healthTcp: '80' }, /--health-tcp: give only one of --health-cmd, --health-http, --health-tcp \(also got --health-cmd\)/],
    ['a bad port', { healthHttp: 'x/healthz' }, /--health-http: must be <port><path>/],
    ['a duration without a unit', { healthTcp: '80', healthTimeout: '5' }, /--health-timeout: must be a duration like 10s, 500ms, 1m/],
    ['retries 0', { healthTcp: '80', healthRetries: 0 }, /--health-retries: must be an integer in \[1, 1000\]/],
    ['a start period of garbage', { healthTcp: '80', healthStartPeriod: 'later' }, /--health-start-period: must be a duration/],
    ['a repeated flag', { healthCmd: ['a', 'b'] as unknown as string }, /--health-cmd: given more than once/],
  ];
  for (const [name, flags, re] of bad) it(`usage error: ${name}`, () => assert.throws(() => descriptorFromFlags({ image: 'x', ...flags }), (e: Error) => e instanceof UsageError && re.test(e.message)));
});
