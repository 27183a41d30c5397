import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseHonoTopic, type HonoTopic } from './hono-topic';

describe('parseHonoTopic (§1.1)', () => {
  const valid: Array<[string, HonoTopic]> = [
    ['e', { kind: 'event' }],
    ['event', { kind: 'event' }],
    ['t', { kind: 'telemetry' }],
    ['telemetry', { kind: 'telemetry' }],
    ['e/', { kind: 'event' }],
    ['e/demo', { kind: 'event', tenantId: 'demo' }],
    ['e/demo/demo:device:edge:containers', { kind: 'event', tenantId: 'demo', deviceId: 'demo:device:edge:containers' }],
    ['event//demo:sub', { kind: 'event', deviceId: 'demo:sub' }],
    ['t/demo/demo:dev/a/b', { kind: 'telemetry', tenantId: 'demo', deviceId: 'demo:dev', extra: 'a/b' }],
    ['t//demo:dev//x/', { kind: 'telemetry', deviceId: 'demo:dev', extra: '/x/' }],
    ['e/demo/demo:dev/', { kind: 'event', tenantId: 'demo', deviceId: 'demo:dev', extra: '' }],
    [
      'command//demo:device:edge:containers/req/42/create',
      {
        kind: 'command-request',
        deviceId: 'demo:device:edge:containers',
        requestId: '42',
        oneWay: false,
        command: 'create',
      },
    ],
    ['c//demo:d/q/42/su', { kind: 'command-request', deviceId: 'demo:d', requestId: '42', oneWay: false, command: 'su' }],
    ['command///req/abc/install', { kind: 'command-request', requestId: 'abc', oneWay: false, command: 'install' }],
    ['c///q/abc/install', { kind: 'command-request', requestId: 'abc', oneWay: false, command: 'install' }],
    ['command///req//install', { kind: 'command-request', requestId: '', oneWay: true, command: 'install' }],
    ['c/demo/d/req/1/a/b', { kind: 'command-request', tenantId: 'demo', deviceId: 'd', requestId: '1', oneWay: false, command: 'a/b' }],
    ['command//demo:d/res/42/200', { kind: 'command-response', deviceId: 'demo:d', requestId: '42', status: 200 }],
    ['c//demo:d/s/42/204', { kind: 'command-response', deviceId: 'demo:d', requestId: '42', status: 204 }],
    ['command///res/abc/204', { kind: 'command-response', requestId: 'abc', status: 204 }],
    ['c///res/abc/599', { kind: 'command-response', requestId: 'abc', status: 599 }],
    ['command//d/s/abc/100', { kind: 'command-response', deviceId: 'd', requestId: 'abc', status: 100 }],
  ];
  for (const [topic, expected] of valid) {
    it(`parses ${topic}`, () => assert.deepEqual(parseHonoTopic(topic), { ok: true, topic: expected }));
  }

  const invalid: Array<[unknown, RegExp]> = [
    ['', /non-empty/],
    [undefined, /non-empty/],
    ['events', /does not start/],
    ['E', /does not start/],
    ['x/e', /does not start/],
    ['e/+/dev', /wildcard/],
    ['e/#', /wildcard/],
    ['e/a\u0000b', /U\+0000/],
    ['e/a\ud800', /lone surrogate/],
    [`e/${'€'.repeat(21_845)}`, /longer than 65535 bytes/], // 21847 characters, 65537 bytes of UTF-8
    ['command//d/req/1', /command\/<tenant>/],
    ['command//d/req/1/', /no command name/],
    ['command//d/x/1/a', /command\/<tenant>/],
    ['command//d', /command\/<tenant>/],
    ['command//d/res//200', /empty request ID/],
    ['command//d/res/1/99', /invalid status/],
    ['command//d/res/1/600', /invalid status/],
    ['command//d/res/1/2000', /invalid status/],
    ['command//d/res/1/20a', /invalid status/],
    ['command//d/res/1/200/x', /invalid status/],
    ['command//d/res/1/ 200', /invalid status/],
    ['c//d/s/1/', /invalid status/],
  ];
  for (const [topic, problem] of invalid) {
    it(`rejects ${String(JSON.stringify(topic)).slice(0, 60)}`, () => {
      const r = parseHonoTopic(topic);
      assert.ok(!r.ok && problem.test(r.problems.join('; ')), JSON.stringify(r));
    });
  }
});
