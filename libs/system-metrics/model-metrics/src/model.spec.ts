import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMetricData, cpuUtilization, describeRequest, parseMetricsRequest, parsePrometheusAddress, processCpuUtilization, processOriginators, renderPrometheus, sampleNeeds, wants, type MetricsRequest, type Sample } from './index';

const ok = (v: unknown): MetricsRequest => {
  const r = parseMetricsRequest(v);
  assert.ok(r.ok, JSON.stringify(r));
  return r.request;
};
const problems = (v: unknown): string[] => {
  const r = parseMetricsRequest(v);
  assert.equal(r.ok, false, `refused: ${JSON.stringify(v)}`);
  return r.ok ? [] : [...r.problems];
};

describe('Metrics request (Kanto system-metrics)', () => {
  it('takes a Go duration or seconds, and Kanto\'s filter', () => {
    const r = ok({ frequency: '5s', filter: [{ id: ['cpu.*'], originator: 'SYSTEM' }, { id: ['io.*', 'memory.*'], originator: 'test.process' }] });
    assert.equal(r.frequencyMs, 5000);
    assert.deepEqual(r.filters, [{ ids: ['cpu.*'], originator: 'SYSTEM' }, { ids: ['io.*', 'memory.*'], originator: 'test.process' }]);
    assert.equal(ok({ frequency: 10 }).frequencyMs, 10_000);
    assert.equal(ok({ frequency: '1m30s' }).frequencyMs, 90_000);
  });

  it('without a filter reports SYSTEM cpu.utilization and memory.utilization; an empty originator is SYSTEM', () => {
    assert.deepEqual(ok({ frequency: '2s' }).filters, [{ ids: ['cpu.utilization', 'memory.utilization'], originator: 'SYSTEM' }]);
    assert.deepEqual(ok({ frequency: '2s', filter: [{ id: ['cpu.load1'] }] }).filters, [{ ids: ['cpu.load1'], originator: 'SYSTEM' }]);
    assert.deepEqual(ok({ frequency: '2s', filter: [{ originator: '' }] }).filters, [{ ids: [], originator: 'SYSTEM' }]);
  });

  it('frequency 0, negative or absent stops reporting', () => {
    for (const v of [{ frequency: '0s' }, { frequency: 0 }, { frequency: -5 }, { frequency: '-5s' }, {}]) assert.deepEqual(ok(v), { frequencyMs: 0, filters: [] }, JSON.stringify(v));
  });

  it('refuses what is malformed, naming the field', () => {
    assert.match(problems('x')[0]!, /must be an object/);
    assert.match(problems({ frequency: 'soon' })[0]!, /frequency invalid duration/);
    assert.match(problems({ frequency: '100ms' })[0]!, /at least 1s/);
    assert.match(problems({ frequency: true })[0]!, /frequency must be/);
    assert.match(problems({ frequency: '1s', filter: {} })[0]!, /filter must be an array/);
    assert.match(problems({ frequency: '1s', filter: [{ id: 'cpu.*' }] })[0]!, /filter\[0\]\.id must be an array/);
    assert.match(problems({ frequency: '1s', filter: [{ originator: 7 }] })[0]!, /filter\[0\]\.originator/);
    assert.match(problems({ frequency: '1s', filter: [{ originator: '../x' }] })[0]!, /originator/);
    assert.match(problems({ frequency: '1s', filter: [3] })[0]!, /filter\[0\] must be an object/);
    assert.match(problems({ frequency: '1s', filter: Array(65).fill({}) })[0]!, /more than 64/);
    assert.match(problems({ frequency: '1000h' })[0]!, /596h/);
  });

  it('matches IDs exactly or by a trailing * prefix, per originator', () => {
    const r = ok({ frequency: '1s', filter: [{ id: ['cpu.*', 'memory.total'], originator: 'SYSTEM' }, { originator: 'node' }] });
    assert.equal(wants(r, 'SYSTEM', 'cpu.load15'), true);
    assert.equal(wants(r, 'SYSTEM', 'memory.total'), true);
    assert.equal(wants(r, 'SYSTEM', 'memory.used'), false);
    assert.equal(wants(r, 'node', 'io.readBytes'), true, 'no id = all');
    assert.equal(wants(r, 'other', 'cpu.utilization'), false);
    assert.deepEqual(processOriginators(r), ['node']);
    assert.deepEqual(describeRequest(r), { frequency: '1s', filter: [{ id: ['cpu.*', 'memory.total'], originator: 'SYSTEM' }, { id: [], originator: 'node' }] });
  });
});

describe('Metrics data', () => {
  const s0: Sample = {
    atMs: 0,
    cpu: { total: 1000, idle: 800 },
    processes: new Map([['node', { pid: 7, cpuTicks: 100, rssBytes: 0 }]]),
  };
  const s1: Sample = {
    atMs: 2000,
    cpu: { total: 1400, idle: 1100 },
    load: { load1: 0.5, load5: 0.25, load15: 0.125 },
    memory: { totalBytes: 1000, availableBytes: 600, usedBytes: 400 },
    processes: new Map([['node', { pid: 7, cpuTicks: 150, rssBytes: 50, readBytes: 10, writeBytes: 20 }]]),
  };

  it('computes utilisations from the change between samples', () => {
    assert.equal(cpuUtilization(s0.cpu, s1.cpu), 25);
    assert.equal(cpuUtilization(s1.cpu, s0.cpu), undefined, 'counters went back');
    assert.equal(processCpuUtilization(s0.processes.get('node'), s1.processes.get('node')!, 2000, 100), 25, '50 ticks of 10 ms in 2 s');
    assert.equal(processCpuUtilization({ pid: 8, cpuTicks: 0, rssBytes: 0 }, s1.processes.get('node')!, 2000, 100), undefined, 'another pid');
  });

  it('builds Kanto\'s snapshot with only what was asked for', () => {
    const r = ok({ frequency: '2s', filter: [{ id: ['cpu.*', 'memory.utilization'], originator: 'SYSTEM' }, { originator: 'node' }] });
    assert.deepEqual(buildMetricData(r, s0, s1, 1_700_000_000, 100), {
      timestamp: 1_700_000_000,
      snapshot: [
        { originator: 'SYSTEM', measurements: [{ id: 'cpu.utilization', value: 25 }, { id: 'cpu.load1', value: 0.5 }, { id: 'cpu.load5', value: 0.25 }, { id: 'cpu.load15', value: 0.125 }, { id: 'memory.utilization', value: 40 }] },
        { originator: 'node', measurements: [{ id: 'cpu.utilization', value: 25 }, { id: 'memory.utilization', value: 5 }, { id: 'io.readBytes', value: 10 }, { id: 'io.writeBytes', value: 20 }] },
      ],
    });
    const first = buildMetricData(ok({ frequency: '2s' }), undefined, s1, 1, 100);
    assert.deepEqual(first.snapshot, [{ originator: 'SYSTEM', measurements: [{ id: 'memory.utilization', value: 40 }] }], 'no rate without a previous sample');
    assert.deepEqual(buildMetricData(ok({ frequency: '2s', filter: [{ originator: 'absent' }] }), s0, s1, 1, 100).snapshot, [], 'no originator without measurements');
  });

  it('reads from /proc only what the request needs', () => {
    assert.deepEqual(sampleNeeds(ok({ frequency: '1s' }), []), { cpu: true, load: false, memory: true });
    assert.deepEqual(sampleNeeds(ok({ frequency: '1s', filter: [{ id: ['cpu.load*'] }] }), []), { cpu: false, load: true, memory: false });
    assert.deepEqual(sampleNeeds(ok({ frequency: '1s', filter: [{ id: ['io.*'], originator: 'node' }] }), ['node']), { cpu: false, load: false, memory: false });
    assert.deepEqual(sampleNeeds(ok({ frequency: '1s', filter: [{ originator: 'node' }] }), ['node']), { cpu: false, load: false, memory: true });
  });
});

describe('Prometheus text', () => {
  it('renders the system figures, each app\'s health, stats as labels, and the cloud link', () => {
    const text = renderPrometheus({
      cpuUtilization: 12.5,
      load: { load1: 0.5, load5: 0.25, load15: 0.125 },
      memory: { totalBytes: 1000, availableBytes: 600, usedBytes: 400 },
      apps: new Map([
        ['connector', { status: 'up', pid: 2, version: '1', since: 100, restarts: 1 }],
        ['broker', { status: 'down', pid: 1, version: '1', since: 90, reason: 'lost', stats: { queued: 7, clients: 3 } }],
        ['odd"app', { status: 'up', pid: 3, version: '1', since: 1 }],
      ]),
      link: { connected: true, timestamp: 1, outbox: { depth: 4, oldestAgeMs: 2500 } },
    });
    const lines = text.split('\n');
    for (const want of [
      'ledge_system_cpu_utilization_percent 12.5',
      'ledge_system_load15 0.125',
      'ledge_system_memory_used_bytes 400',
      'ledge_app_up{app="broker"} 0',
      'ledge_app_up{app="connector"} 1',
      'ledge_app_up{app="odd\\"app"} 1',
      'ledge_app_restarts_total{app="connector"} 1',
      'ledge_app_stat{app="broker",stat="clients"} 3',
      'ledge_app_stat{app="broker",stat="queued"} 7',
      'ledge_cloud_connected 1',
      'ledge_outbox_depth 4',
      'ledge_outbox_oldest_age_seconds 2.5',
      '# TYPE ledge_app_restarts_total counter',
    ]) assert.ok(lines.includes(want), `${want} in:\n${text}`);
    assert.ok(text.endsWith('\n'));
    assert.equal(renderPrometheus({ apps: new Map() }), '', 'nothing known, nothing rendered');
  });

  it('reads the endpoint address: a port is loopback', () => {
    assert.equal(parsePrometheusAddress(''), undefined);
    assert.deepEqual(parsePrometheusAddress('9464'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parsePrometheusAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(parsePrometheusAddress('[::1]:9464'), { host: '::1', port: 9464 });
    for (const bad of ['x', '70000', 'a b:1', ':1', 3]) assert.equal(typeof parsePrometheusAddress(bad), 'string', String(bad));
  });
});
