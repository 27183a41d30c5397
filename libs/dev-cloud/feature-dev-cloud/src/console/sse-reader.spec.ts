// The console's SSE reader (issue 24, item 3): the HTML standard's event-stream framing over chunks as
// they come off the wire, and the reconnect loop over a fake fetch and fake time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeTime } from '@ledge/shared/util/testing';
import { createSseParser, openSse, reconnectDelay, type SseItem, type SseState } from './sse-reader';

const parse = (...chunks: string[]) => {
  const p = createSseParser();
  return chunks.flatMap((c) => p.push(c));
};
const ev = (data: string, type = 'message', lastEventId = ''): SseItem => ({ kind: 'event', type, data, lastEventId });

describe('console SSE parser (HTML standard, event stream framing)', () => {
  it('an event per blank line; data: lines joined by LF; one space after the colon dropped', () => {
    assert.deepEqual(parse('data: {"a":1}\n\ndata:x\ndata:  two spaces\n\n'), [ev('{"a":1}'), ev('x\n two spaces')]);
  });

  it('events split anywhere across chunks, a line end included', () => {
    const text = 'data: first\n\ndata: sec';
    for (let i = 0; i <= text.length; i++) assert.deepEqual(parse(text.slice(0, i), text.slice(i), 'ond\n\n'), [ev('first'), ev('second')], `split at ${i}`);
    assert.deepEqual(parse('da', 'ta', ':', ' x', '\n', '\n'), [ev('x')]);
  });

  it('CRLF, CR and LF all end a line, a CRLF split between chunks too', () => {
    assert.deepEqual(parse('data: a\r\ndata: b\r\n\r\n'), [ev('a\nb')]);
    assert.deepEqual(parse('data: a\rdata: b\r\r'), [ev('a\nb')]);
    assert.deepEqual(parse('data: a\r', '\ndata: b\r', '\n\r', '\n'), [ev('a\nb')]);
    assert.deepEqual(parse('data: a\r', '', '\n\n'), [ev('a')], 'an empty chunk between CR and LF');
  });

  it('comments and unknown fields are ignored; keep-alives alone dispatch nothing', () => {
    assert.deepEqual(parse(':keep-alive\n\n', ': hi\ndata: v\nfoo: bar\n:\n\n'), [ev('v')]);
  });

  it('event, id (not with NUL) and retry (digits only); id persists, event type does not', () => {
    assert.deepEqual(parse('event: feedback\nid: 7\ndata: x\n\ndata: y\n\nid: a\0b\ndata: z\n\n'), [ev('x', 'feedback', '7'), ev('y', 'message', '7'), ev('z', 'message', '7')]);
    assert.deepEqual(parse('retry: 2500\nretry: 1s\nretry:\n\n'), [{ kind: 'retry', ms: 2500 }]);
  });

  it('`data` without a colon is an empty line of data; an empty data buffer dispatches nothing', () => {
    assert.deepEqual(parse('data\n\n', 'data:\ndata:\n\n', 'event: x\n\n'), [ev(''), ev('\n')]);
  });

  it('a leading BOM is skipped once; an event the stream does not end is not dispatched', () => {
    // a later BOM is part of the line: `\uFEFFdata` is an unknown field
    assert.deepEqual(parse('\uFEFF', 'data: a\n\n\uFEFFdata: b\n\n', 'data: cut'), [ev('a')]);
    assert.deepEqual(parse('\uFEFFdata: a\n\n'), [ev('a')]);
  });
});

describe('console SSE reader: reconnects', () => {
  it('delay: the retry time, doubled per failure up to the cap, jitter only downwards', () => {
    assert.deepEqual([0, 1, 2, 3, 10].map((a) => reconnectDelay(a, 1000, 5000, 0)), [1000, 2000, 4000, 5000, 5000]);
    assert.equal(reconnectDelay(0, 1000, 5000, 1), 750);
    assert.equal(reconnectDelay(60, 1000, 30_000, 0), 30_000);
  });

  it('opens with the headers, delivers events, honours retry:, backs off on 401, reopens, and stops when closed', async () => {
    const enc = new TextEncoder();
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const answers: (() => Response)[] = [
      () => new Response(new ReadableStream({ start: (c) => (c.enqueue(enc.encode('retry: 200\ndata: {"n":')), c.enqueue(enc.encode('1}\r\n\r\n')), c.close()) }), { headers: { 'content-type': 'text/event-stream' } }),
      () => new Response('{"status":401}', { status: 401, statusText: 'Unauthorized' }),
      () => new Response('not sse', { headers: { 'content-type': 'text/html' } }),
      () => new Response(new ReadableStream({ start: (c) => c.enqueue(enc.encode('data: 2\n\n')) }), { headers: { 'content-type': 'text/event-stream; charset=utf-8' } }),
    ];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      requests.push({ url, headers: init.headers as Record<string, string> });
      return answers.shift()!();
    }) as unknown as typeof fetch;
    const time = createFakeTime();
    const events: string[] = [];
    const states: SseState[] = [];
    const close = openSse('http://ditto.example/api/2/things', { headers: { authorization: 'Basic eA==' }, fetch: fakeFetch, scheduler: time.scheduler, random: () => 0, onEvent: (e) => events.push(e.data), onState: (s) => states.push(s) });
    await time.settle();
    assert.deepEqual(events, ['{"n":1}']);
    assert.deepEqual(requests[0], { url: 'http://ditto.example/api/2/things', headers: { accept: 'text/event-stream', authorization: 'Basic eA==' } });
    assert.deepEqual(states, [{ open: true }, { open: false, reason: 'the stream ended', retryInMs: 200 }], 'retry: 200 honoured');
    await time.advance(199);
    assert.equal(requests.length, 1, 'no reconnect before the retry time');
    await time.advance(1);
    assert.deepEqual(states.at(-1), { open: false, reason: '401 Unauthorized', status: 401, retryInMs: 400 });
    await time.advance(400);
    assert.match((states.at(-1) as { reason: string }).reason, /not an event stream \(text\/html\)/);
    assert.equal((states.at(-1) as { retryInMs: number }).retryInMs, 800);
    await time.advance(800);
    assert.deepEqual(events, ['{"n":1}', '2']);
    assert.deepEqual(states.at(-1), { open: true });
    close();
    await time.advance(60_000);
    assert.equal(states.length, 5, 'nothing after close');
    assert.equal(requests.length, 4);
    assert.equal(time.pending(), 0);
  });
});
