import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chunkLines,
  containerLogsResponseTopic,
  encodeContainerLogsAnswer,
  encodeContainerLogsRequest,
  parseContainerLogsAnswer,
  parseContainerLogsRequest,
  type ContainerLogsRequest,
} from './container-logs';

const request: ContainerLogsRequest = { requestId: 'logs-7.a_b', containers: ['web', 'db'], sinceMs: 1_796_000_000_000, untilMs: 1_796_000_060_000, grep: 'err', lines: 100, maxBytes: 1 << 20 };

describe('containers\' logs over the local bus', () => {
  it('round-trips a request; duplicates among the containers are dropped', () => {
    assert.deepEqual(parseContainerLogsRequest(encodeContainerLogsRequest(request)), { ok: true, request });
    const { grep: _grep, ...noGrep } = request;
    assert.deepEqual(parseContainerLogsRequest(encodeContainerLogsRequest({ ...noGrep, containers: ['a', 'a'] })), { ok: true, request: { ...noGrep, containers: ['a'] } });
  });

  it('refuses a malformed request with the reason, never throws', () => {
    const bad = (patch: Record<string, unknown>) => parseContainerLogsRequest(JSON.stringify({ ...JSON.parse(encodeContainerLogsRequest(request)), ...patch }));
    for (const [patch, why] of [
      [{ requestId: 'a/b' }, /requestId/],
      [{ requestId: '+' }, /requestId/],
      [{ containers: [] }, /containers/],
      [{ containers: [''] }, /containers/],
      [{ containers: Array.from({ length: 65 }, (_, i) => `c${i}`) }, /containers/],
      [{ since: 2_000_000_000_000, until: 1 }, /since/],
      [{ since: -1 }, /since/],
      [{ grep: '' }, /grep/],
      [{ lines: 0 }, /lines/],
      [{ maxBytes: 1e12 }, /maxBytes/],
    ] as const) {
      const r = bad(patch);
      assert.equal(r.ok, false, JSON.stringify(patch));
      assert.match((r as { problems: readonly string[] }).problems.join('; '), why);
    }
    for (const junk of ['', 'null', '[]', '{"requestId":', Buffer.from([0xff, 0xfe]), 'x'.repeat(100_000)]) assert.equal(parseContainerLogsRequest(junk).ok, false);
  });

  it('round-trips chunks and the end; refuses malformed answers', () => {
    const chunk = { kind: 'chunk' as const, container: 'web', lines: ['{"log":"a\\n","stream":"stdout","time":"t"}', 'second'] };
    assert.deepEqual(parseContainerLogsAnswer(encodeContainerLogsAnswer(chunk)), { ok: true, answer: chunk });
    const end = { kind: 'end' as const, results: { web: { lines: 2 }, nope: { lines: 0, error: 'no such container' } } };
    assert.deepEqual(parseContainerLogsAnswer(encodeContainerLogsAnswer(end)), { ok: true, answer: end });
    for (const junk of ['{}', '{"container":"w","lines":[1]}', '{"end":true,"results":{"w":{"lines":-1}}}', '{"end":true,"results":[]}', '"x"']) assert.equal(parseContainerLogsAnswer(junk).ok, false, junk);
  });

  it('response topics are per request; chunks stay under their size', () => {
    assert.equal(containerLogsResponseTopic('r-1'), 'edge/containers/logs/response/r-1');
    assert.throws(() => containerLogsResponseTopic('r/#'), TypeError);
    const lines = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(100, 'x'));
    const chunks = chunkLines(lines, 1000);
    assert.deepEqual(chunks.flat(), lines);
    for (const c of chunks) assert.ok(JSON.stringify(c).length <= 1000 + 2, String(JSON.stringify(c).length));
    assert.deepEqual(chunkLines(['y'.repeat(5000), 'z'], 1000), [['y'.repeat(5000)], ['z']]);
    assert.deepEqual(chunkLines([]), []);
  });
});
