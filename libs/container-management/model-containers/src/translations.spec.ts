import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildContainerStatus,
  buildMetricsData,
  exitedState,
  formatSize,
  formatTimestamp,
  initialState,
  parseCreateValue,
  parseDescriptor,
  parseMetricsRequest,
  parseRemoveValue,
  parseRenameValue,
  parseSize,
  parseStopOptions,
  parseUpdateValue,
  runningState,
  stateFromTask,
  wildcardMatches,
  type ContainerStats,
} from './index';

const M = 1024 * 1024;

describe('sizes and durations', () => {
  const sizes: [unknown, number | undefined][] = [
    ['200M', 200 * M], ['1G', 1024 * M], ['512k', 512 * 1024], ['100m', 100 * M], ['42', 42], [42, 42], ['-1', -1], [-1, -1],
    ['1.5M', 1.5 * M], ['abc', undefined], ['10X', undefined], ['', undefined], [-2, undefined], [{}, undefined],
  ];
  for (const [input, want] of sizes) it(`parseSize(${JSON.stringify(input)}) = ${want}`, () => assert.equal(parseSize(input), want));
  it('formatSize round-trips exact units', () => {
    assert.deepEqual([100 * M, 1024 * M, 1536, 2048, -1].map(formatSize), ['100M', '1G', '1536', '2K', '-1']);
  });
});

describe('parseCreateValue (§3.3)', () => {
  it('create: imageRef + start, defaults from Kanto', () => {
    const r = parseCreateValue({ imageRef: 'docker.io/library/hello-world:latest', start: true }, false);
    assert.ok(r.ok, 'r.ok');
    assert.equal(r.value.start, true);
    assert.equal(r.value.named, false);
    assert.equal(r.value.config.name, 'hello-world');
    assert.equal(r.value.config.imageRef, 'docker.io/library/hello-world:latest');
    assert.deepEqual(r.value.config.restartPolicy, { type: 'unless-stopped' });
    assert.equal(r.value.config.log.maxSizeBytes, 100 * M);
  });
  const bad: [string, unknown, boolean, RegExp][] = [
    ['missing imageRef', {}, false, /imageRef: is required/],
    ['not an object', 'x', false, /must be an object/],
    ['imageRef not a string', { imageRef: 1 }, false, /imageRef: must be a string/],
    ['bad start', { imageRef: 'a', start: 'yes' }, false, /start: must be a boolean/],
    ['bad name', { imageRef: 'a', name: '-x y' }, true, /invalid container name/],
    ['unknown restart policy', { imageRef: 'a', config: { restartPolicy: { type: 'SOMETIMES' } } }, true, /unsupported value 'SOMETIMES'/],
    ['memory below 3M', { imageRef: 'a', config: { resources: { memory: '2M' } } }, true, /at least 3M/],
    ['memory not a size', { imageRef: 'a', config: { resources: { memory: 'lots' } } }, true, /invalid size 'lots'/],
    ['memory -1', { imageRef: 'a', config: { resources: { memory: '-1' } } }, true, /must not be -1/],
    ['port out of range', { imageRef: 'a', config: { portMappings: [{ containerPort: 80, hostPort: 70000 }] } }, true, /hostPort/],
    ['network', { imageRef: 'a', config: { networkMode: 'NONE' } }, true, /networkMode/],
  ];
  for (const [name, value, withConfig, re] of bad) {
    it(`rejects ${name}`, () => {
      const r = parseCreateValue(value, withConfig);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problems.join('; '), re);
    });
  }
  it('createWithConfig: upper-case enums and lower-case docker values map to the model', () => {
    const r = parseCreateValue(
      {
        imageRef: 'docker.io/library/httpd:latest',
        name: 'web',
        start: true,
        config: {
          env: ['A=1'],
          cmd: ['httpd-foreground'],
          networkMode: 'HOST',
          extraHosts: ['ctrhost:host_ip'],
          mountPoints: [{ source: '/a', destination: '/b', propagationMode: 'RSHARED' }],
          devices: [{ pathOnHost: '/dev/ttyS0', pathInContainer: '/dev/ttyS0', cgroupPermissions: 'rw' }],
          restartPolicy: { type: 'ON_FAILURE', maxRetryCount: 3, retryTimeout: 10 },
          portMappings: [{ proto: 'TCP', containerPort: 80, hostIP: '127.0.0.1', hostPort: 5000 }],
          log: { type: 'JSON_FILE', maxFiles: 3, maxSize: '10M', mode: 'NON_BLOCKING', maxBufferSize: '2M' },
          resources: { memory: '500M', memoryReservation: '300M', memorySwap: '1G' },
        },
      },
      true,
    );
    assert.ok(r.ok, JSON.stringify(r));
    const c = r.value.config;
    assert.equal(c.name, 'web');
    assert.equal(c.networkMode, 'host');
    assert.deepEqual(c.mountPoints, [{ source: '/a', destination: '/b', propagationMode: 'rshared' }]);
    assert.deepEqual(c.restartPolicy, { type: 'on-failure', maxRetryCount: 3, retryTimeoutSeconds: 10 });
    assert.deepEqual(c.portMappings, [{ proto: 'tcp', containerPort: 80, hostIP: '127.0.0.1', hostPort: 5000 }]);
    assert.deepEqual(c.log, { type: 'json-file', maxFiles: 3, maxSizeBytes: 10 * M, mode: 'non-blocking', maxBufferSizeBytes: 2 * M });
    assert.deepEqual(c.resources, { memoryBytes: 500 * M, memoryReservationBytes: 300 * M, memorySwapBytes: 1024 * M });
    assert.equal(c.hostName, 'web-host');
    const lower = parseCreateValue({ imageRef: 'a', config: { restartPolicy: { type: 'unless-stopped' }, networkMode: 'bridge', log: { type: 'none' }, resources: { memory: '4M', memorySwap: -1 } } }, true);
    assert.ok(lower.ok, 'lower.ok');
    assert.equal(lower.value.config.restartPolicy.type, 'unless-stopped');
    assert.equal(lower.value.config.log.type, 'none');
    assert.equal(lower.value.config.resources.memorySwapBytes, -1);
  });
});

describe('update / stopWithOptions / rename / remove values (§3.4)', () => {
  it('update with the spec example', () => {
    const r = parseUpdateValue({ restartPolicy: { type: 'ON_FAILURE', maxRetryCount: 3, retryTimeout: 10 }, resources: { memory: '500M', memoryReservation: '300M', memorySwap: '1G' } });
    assert.ok(r.ok, 'r.ok');
    assert.deepEqual(r.value, { restartPolicy: { type: 'on-failure', maxRetryCount: 3, retryTimeoutSeconds: 10 }, resources: { memoryBytes: 500 * M, memoryReservationBytes: 300 * M, memorySwapBytes: 1024 * M } });
    assert.deepEqual(parseUpdateValue({ restartPolicy: { type: 'ALWAYS' } }), { ok: true, value: { restartPolicy: { type: 'always' } } });
    assert.equal(parseUpdateValue({ restartPolicy: { type: 'X' } }).ok, false);
    assert.equal(parseUpdateValue(5).ok, false);
  });
  const stops: [unknown, unknown][] = [
    [{ signal: 'SIGINT', timeout: 30, force: true }, { signal: 'SIGINT', timeoutMs: 30_000, force: true }],
    [{ signal: 'kill' }, { signal: 'SIGKILL', timeoutMs: 5000, force: true }],
    [{}, { signal: 'SIGTERM', timeoutMs: 5000, force: true }],
    [undefined, { signal: 'SIGTERM', timeoutMs: 5000, force: true }],
    [{ timeout: -1, force: false }, { signal: 'SIGTERM', timeoutMs: 5000, force: false }],
  ];
  for (const [input, want] of stops) it(`stopWithOptions ${JSON.stringify(input)}`, () => assert.deepEqual(parseStopOptions(input, 5000), { ok: true, value: want }));
  it('stopWithOptions rejects garbage', () => {
    assert.equal(parseStopOptions({ signal: 'not a signal!' }, 1).ok, false);
    assert.equal(parseStopOptions({ timeout: 'x' }, 1).ok, false);
    assert.equal(parseStopOptions([], 1).ok, false);
  });
  it('rename and remove', () => {
    assert.deepEqual(parseRenameValue('newname'), { ok: true, value: 'newname' });
    assert.equal(parseRenameValue(5).ok, false);
    assert.equal(parseRenameValue('bad name').ok, false);
    assert.deepEqual(parseRemoveValue(true), { ok: true, value: true });
    assert.deepEqual(parseRemoveValue(undefined), { ok: true, value: false });
    assert.equal(parseRemoveValue('yes').ok, false);
  });
});

describe('parseDescriptor (§4.2)', () => {
  it('minimal descriptor gets Kanto defaults', () => {
    const r = parseDescriptor({ container_name: 'influxdb', image: { name: 'docker.io/library/influxdb:1.8.4' } });
    assert.ok(r.ok, 'r.ok');
    assert.equal(r.value.domainName, 'influxdb-domain');
    assert.equal(r.value.hostName, 'influxdb-host');
    assert.deepEqual(r.value.restartPolicy, { type: 'unless-stopped' });
    assert.equal(r.value.log.maxFiles, 2);
    assert.equal(r.value.networkMode, 'bridge');
  });
  it('full descriptor', () => {
    const r = parseDescriptor({
      container_name: 'app',
      image: { name: 'reg/app:1' },
      domain_name: 'd',
      host_name: 'h',
      mount_points: [{ source: '/s', destination: '/d' }],
      config: { env: ['X=1'], cmd: ['run'] },
      io_config: { open_stdin: true, tty: true },
      host_config: {
        devices: [{ path_on_host: '/dev/a', path_in_container: '/dev/b' }],
        network_mode: 'host',
        privileged: true,
        extra_hosts: ['h:1.2.3.4'],
        extra_capabilities: ['CAP_NET_ADMIN'],
        port_mappings: [{ container_port: 80, host_port: 8080, host_port_end: 8081 }],
        resources: { memory: '200M', memory_reservation: '100M', memory_swap: '-1' },
        restart_policy: { type: 'on-failure', maximum_retry_count: 5, retry_timeout: 30 },
        log_config: { driver_config: { type: 'json-file', max_files: 4, max_size: '1M', root_dir: '/logs' }, mode_config: { mode: 'non-blocking', max_buffer_size: '2M' } },
      },
    });
    assert.ok(r.ok, JSON.stringify(r));
    const c = r.value;
    assert.deepEqual(c.mountPoints, [{ source: '/s', destination: '/d', propagationMode: 'rprivate' }]);
    assert.deepEqual(c.devices, [{ pathOnHost: '/dev/a', pathInContainer: '/dev/b', cgroupPermissions: 'rwm' }]);
    assert.deepEqual(c.portMappings, [{ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort: 8080, hostPortEnd: 8081 }]);
    assert.deepEqual(c.resources, { memoryBytes: 200 * M, memoryReservationBytes: 100 * M, memorySwapBytes: -1 });
    assert.deepEqual(c.restartPolicy, { type: 'on-failure', maxRetryCount: 5, retryTimeoutSeconds: 30 });
    assert.deepEqual(c.log, { type: 'json-file', maxFiles: 4, maxSizeBytes: M, rootDir: '/logs', mode: 'non-blocking', maxBufferSizeBytes: 2 * M });
    assert.equal(c.tty && c.openStdin && c.privileged, true);
    const ns = parseDescriptor({ container_name: 'a', image: { name: 'i' }, host_config: { restart_policy: { type: 'on-failure', retry_timeout: 30_000_000_000 } } });
    assert.ok(ns.ok, 'ns.ok');
    assert.equal(ns.value.restartPolicy.retryTimeoutSeconds, 30, 'Go duration nanoseconds read as seconds');
  });
  const bad: [string, unknown, RegExp][] = [
    ['no name', { image: { name: 'i' } }, /container_name/],
    ['no image', { container_name: 'a' }, /image.name/],
    ['memory 1M', { container_name: 'a', image: { name: 'i' }, host_config: { resources: { memory: '1M' } } }, /min 3M/],
    ['bad restart', { container_name: 'a', image: { name: 'i' }, host_config: { restart_policy: { type: 'never' } } }, /restart_policy.type/],
    ['array', [], /must be an object/],
  ];
  for (const [name, v, re] of bad) {
    it(`rejects ${name}`, () => {
      const r = parseDescriptor(v);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problems.join('; '), re);
    });
  }
});

describe('container status (§3.4)', () => {
  it('builds the exact shape with upper-case enums and ns timestamps', () => {
    const d = parseDescriptor({ container_name: 'influxdb', image: { name: 'docker.io/library/influxdb:1.8.4' } });
    assert.ok(d.ok, 'd.ok');
    const at = new Date('2024-06-01T10:00:00.000Z');
    const state = runningState(initialState(), 4242, at);
    const status = buildContainerStatus({ config: d.value, createdAt: formatTimestamp(at), state });
    assert.deepEqual(status, {
      name: 'influxdb',
      imageRef: 'docker.io/library/influxdb:1.8.4',
      createdAt: '2024-06-01T10:00:00.000000000Z',
      config: {
        domainName: 'influxdb-domain',
        hostName: 'influxdb-host',
        restartPolicy: { type: 'UNLESS_STOPPED' },
        networkMode: 'BRIDGE',
        log: { type: 'JSON_FILE', maxFiles: 2, maxSize: '100M', mode: 'BLOCKING' },
      },
      state: { status: 'RUNNING', pid: 4242, startedAt: '2024-06-01T10:00:00.000000000Z', finishedAt: '', exitCode: 0, error: '', oomKilled: false },
    });
  });
  it('state transitions from exits and task info', () => {
    const run = runningState(initialState(), 7, new Date(0));
    const exit = { exitCode: 137, exitedAt: new Date(1000), oomKilled: true };
    assert.equal(exitedState(run, exit, true).status, 'STOPPED');
    const ex = exitedState(run, exit, false);
    assert.deepEqual([ex.status, ex.exitCode, ex.oomKilled, ex.pid, ex.finishedAt], ['EXITED', 137, true, 0, '1970-01-01T00:00:01.000000000Z']);
    const table: [Parameters<typeof stateFromTask>[1], string][] = [
      [{ status: 'running', pid: 9 }, 'RUNNING'],
      [{ status: 'paused', pid: 9 }, 'PAUSED'],
      [{ status: 'stopped', pid: 0, exitCode: 1 }, 'EXITED'],
      [{ status: 'created', pid: 1 }, 'CREATED'],
      [{ status: 'unknown', pid: 0 }, 'UNKNOWN'],
      [undefined, 'EXITED'],
    ];
    for (const [task, want] of table) assert.equal(stateFromTask(run, task).status, want, JSON.stringify(task));
    assert.equal(stateFromTask(initialState(), undefined).status, 'CREATED');
  });
});

describe('metrics (§3.5)', () => {
  it('parses requests: frequency, min 1 s, 0s stops, filters', () => {
    assert.deepEqual(parseMetricsRequest({ frequency: '2s', filter: [{ id: ['cpu.*', 'memory.utilization'], originator: 'SYSTEM' }] }), {
      ok: true,
      value: { frequencyMs: 2000, filters: [{ ids: ['cpu.*', 'memory.utilization'], originator: 'SYSTEM' }] },
    });
    assert.deepEqual(parseMetricsRequest({ frequency: '100ms' }), { ok: true, value: { frequencyMs: 1000, filters: [] } });
    assert.deepEqual(parseMetricsRequest({ frequency: '0s' }), { ok: true, value: { frequencyMs: 0, filters: [] } });
    for (const bad of [{ frequency: '10 seconds' }, {}, { frequency: 2 }, 'x', { frequency: '1s', filter: 'x' }]) assert.equal(parseMetricsRequest(bad).ok, false, JSON.stringify(bad));
  });
  it('wildcards', () => {
    assert.equal(wildcardMatches('cpu.*', 'cpu.utilization'), true);
    assert.equal(wildcardMatches('cpu.*', 'memory.used'), false);
    assert.equal(wildcardMatches('Container:*', 'Container:abc'), true);
    assert.equal(wildcardMatches('memory.used', 'memoryXused'), false);
  });
  const stats = (t: number, cpu: number): ContainerStats => ({ cpuNanos: cpu, memoryUsedBytes: 1396736, memoryTotalBytes: 4 * 1396736, ioReadBytes: 1, ioWriteBytes: 2, netReadBytes: 3, netWriteBytes: 4, pids: 5, timestamp: t });
  it('builds data with seconds timestamp, cpu from deltas, filtered', () => {
    const samples = [{ originator: 'Container:a', previous: stats(1000, 0), current: stats(2000, 5e8) }, { originator: 'Container:b', current: stats(2000, 0) }];
    const all = buildMetricsData(samples, [], 1_700_000_000_123, 1);
    assert.ok(all, 'all');
    assert.equal(all.timestamp, 1_700_000_000);
    assert.deepEqual(all.snapshot[0]!.measurements.find((m) => m.id === 'cpu.utilization'), { id: 'cpu.utilization', value: 50 });
    assert.equal(all.snapshot[1]!.measurements.some((m) => m.id === 'cpu.utilization'), false, 'no cpu on the first sample');
    assert.deepEqual(all.snapshot[0]!.measurements.find((m) => m.id === 'memory.utilization'), { id: 'memory.utilization', value: 25 });
    const one = buildMetricsData(samples, [{ ids: ['memory.used'], originator: 'Container:b' }], 0, 1);
    assert.deepEqual(one, { timestamp: 0, snapshot: [{ originator: 'Container:b', measurements: [{ id: 'memory.used', value: 1396736 }] }] });
    assert.equal(buildMetricsData(samples, [{ ids: ['nothing.*'] }], 0, 1), undefined);
    assert.equal(buildMetricsData(samples, [{ ids: [], originator: 'SYSTEM' }], 0, 1), undefined);
  });
});
