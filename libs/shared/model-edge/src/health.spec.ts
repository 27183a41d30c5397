import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appOfHealthTopic, buildHealthDown, buildHealthUp, encodeHealth, HealthLastOperationLimits, healthTopic, isHealthAppName, parseHealth } from './health';

const base = { pid: 4242, version: '0.1.0', startedMs: 1_796_000_000_900 };

describe('health (edge/health/<app>)', () => {
  it('encodes up, the will and a clean stop in wire order', () => {
    assert.equal(encodeHealth(buildHealthUp(base)), '{"status":"up","pid":4242,"version":"0.1.0","since":1796000000}');
    assert.equal(encodeHealth(buildHealthUp({ ...base, restarts: 2 })), '{"status":"up","pid":4242,"version":"0.1.0","since":1796000000,"restarts":2}');
    assert.equal(encodeHealth(buildHealthDown(base, 'lost', 1_796_000_100_000)), '{"status":"down","pid":4242,"version":"0.1.0","since":1796000000,"reason":"lost"}');
    assert.equal(encodeHealth(buildHealthDown(base, 'stopped', 1_796_000_100_000)), '{"status":"down","pid":4242,"version":"0.1.0","since":1796000100,"reason":"stopped"}');
  });

  it('round-trips what it encodes and ignores extra keys', () => {
    for (const h of [buildHealthUp({ ...base, restarts: 0 }), buildHealthDown(base, 'lost', 0), buildHealthDown(base, 'stopped', 1_796_000_100_000)]) {
      assert.deepEqual(parseHealth(encodeHealth(h)), { ok: true, health: h });
    }
    assert.deepEqual(parseHealth('{"status":"up","pid":1,"version":"x","since":0,"extra":[1]}'), { ok: true, health: { status: 'up', pid: 1, version: 'x', since: 0 } });
    const withStats = { ...buildHealthUp(base), stats: { clients: 6, queued: 0 } };
    assert.equal(encodeHealth(withStats), '{"status":"up","pid":4242,"version":"0.1.0","since":1796000000,"stats":{"clients":6,"queued":0}}');
    assert.deepEqual(parseHealth(encodeHealth(withStats)), { ok: true, health: withStats });
  });

  it('carries software update\'s last operation after stats, round-trips it, clips over-long text when encoding', () => {
    const lastOperation = { correlationId: 'cid-7', status: 'FINISHED_ERROR', at: 1_796_000_050, module: 'hello:1.0.0', message: 'fail to download module' };
    const h = { ...buildHealthUp(base), stats: { jobs: 1 }, lastOperation };
    assert.equal(
      encodeHealth(h),
      '{"status":"up","pid":4242,"version":"0.1.0","since":1796000000,"stats":{"jobs":1},"lastOperation":{"correlationId":"cid-7","status":"FINISHED_ERROR","at":1796000050,"module":"hello:1.0.0","message":"fail to download module"}}',
    );
    assert.deepEqual(parseHealth(encodeHealth(h)), { ok: true, health: h });
    const bare = { ...buildHealthUp(base), lastOperation: { correlationId: 'c', status: 'FINISHED_SUCCESS', at: 0 } };
    assert.deepEqual(parseHealth(encodeHealth(bare)), { ok: true, health: bare });
    // extra keys inside are dropped, as at the top
    const extra = parseHealth('{"status":"up","pid":1,"version":"x","since":0,"lastOperation":{"correlationId":"c","status":"S","at":1,"progress":100}}');
    assert.deepEqual(extra, { ok: true, health: { status: 'up', pid: 1, version: 'x', since: 0, lastOperation: { correlationId: 'c', status: 'S', at: 1 } } });
    // a long install-script message must not make the app's whole health unreadable
    const long = { ...buildHealthUp(base), lastOperation: { ...lastOperation, message: 'm'.repeat(5000) } };
    const parsed = parseHealth(encodeHealth(long));
    assert.ok(parsed.ok);
    assert.equal(parsed.health.lastOperation?.message?.length, HealthLastOperationLimits.message);
    assert.ok(parsed.health.lastOperation?.message?.endsWith('…'));
  });

  it('refuses malformed payloads with the reason, never throws', () => {
    const withOp = (json: string) => `{"status":"up","pid":1,"version":"x","since":0,"lastOperation":${json}}`;
    const bad: [unknown, RegExp][] = [
      ['', /JSON|empty/i],
      ['not json', /JSON/],
      ['[]', /object/],
      ['{"status":"sideways","pid":1,"version":"x","since":0}', /status/],
      ['{"status":"up","pid":0,"version":"x","since":0}', /pid/],
      ['{"status":"up","pid":1.5,"version":"x","since":0}', /pid/],
      ['{"status":"up","pid":1,"version":7,"since":0}', /version/],
      ['{"status":"up","pid":1,"version":"x","since":-1}', /since/],
      ['{"status":"down","pid":1,"version":"x","since":0,"reason":"bored"}', /reason/],
      ['{"status":"up","pid":1,"version":"x","since":0,"restarts":"2"}', /restarts/],
      ['{"status":"up","pid":1,"version":"x","since":0,"stats":{"a":"1"}}', /stats/],
      ['{"status":"up","pid":1,"version":"x","since":0,"stats":[1]}', /stats/],
      [Buffer.from('{"status":"up"'), /JSON/],
      [withOp('"c"'), /lastOperation/],
      [withOp('[]'), /lastOperation/],
      [withOp('{"status":"FINISHED_SUCCESS","at":1}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":"","at":1}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":7,"at":1}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":"S","at":-1}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":"S","at":1.5}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":"S","at":"1796000000"}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":"S","at":1,"module":{"name":"m"}}'), /lastOperation/],
      [withOp('{"correlationId":"c","status":"S","at":1,"message":null}'), /lastOperation/],
      [withOp(`{"correlationId":"${'c'.repeat(257)}","status":"S","at":1}`), /lastOperation/],
      [withOp(`{"correlationId":"c","status":"${'S'.repeat(65)}","at":1}`), /lastOperation/],
      [withOp(`{"correlationId":"c","status":"S","at":1,"module":"${'m'.repeat(513)}"}`), /lastOperation/],
      [withOp(`{"correlationId":"c","status":"S","at":1,"message":"${'m'.repeat(1025)}"}`), /lastOperation/],
    ];
    for (const [input, want] of bad) {
      const r = parseHealth(input);
      assert.equal(r.ok, false, String(input));
      if (!r.ok) assert.match(r.problems.join('; '), want, String(input));
    }
  });

  it('names apps in one topic level; request is not an app', () => {
    assert.equal(healthTopic('software-update'), 'edge/health/software-update');
    assert.equal(appOfHealthTopic('edge/health/file-upload'), 'file-upload');
    for (const t of ['edge/health/request', 'edge/health/a/b', 'edge/health/', 'edge/health/UP', 'edge/thing/response']) assert.equal(appOfHealthTopic(t), undefined, t);
    for (const n of ['request', '', 'a/b', '+', '#', 'A', '-x', 'x'.repeat(65)]) assert.equal(isHealthAppName(n), false, n);
    assert.throws(() => healthTopic('a/#'), TypeError);
  });
});
