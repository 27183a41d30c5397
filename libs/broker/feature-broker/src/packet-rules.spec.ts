// The broker checks topics on the wire, as bytes, before aedes parses a packet: those checks must pass
// the topic-rules table of @ledge/shared/model-mqtt like every other implementation (issue 22). Rows that
// cannot be framed (over 65535 bytes: the length prefix has 16 bits) are left out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topicValidityCases } from '@ledge/shared/model-mqtt/testing';
import { inspectFilters, inspectPublish, topicNameBytesProblem } from './packet-rules';

/** UTF-8, except that a lone surrogate is encoded as its 3-byte form (what a sloppy client would send). */
function wireBytes(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Buffer.from(out);
}

const field = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
const show = (s: string) => (s.length > 40 ? `${JSON.stringify(s.slice(0, 24))}… (${s.length} chars)` : JSON.stringify(s));
const framable = topicValidityCases.filter(([text]) => wireBytes(text).length <= 0xffff);

describe('packet rules: topics on the wire follow @ledge/shared/model-mqtt', () => {
  it('the table has rows the wire can carry, and lone surrogates among them', () => {
    assert.ok(framable.length > 60, `${framable.length} rows`);
    assert.ok(framable.some(([text]) => /\p{Cs}/u.test(text)));
  });

  for (const [text, validName, validFilter] of framable) {
    it(`${show(text)}: ${validName ? 'a' : 'no'} topic name, ${validFilter ? 'a' : 'no'} topic filter`, () => {
      const bytes = wireBytes(text);
      assert.equal(topicNameBytesProblem(bytes) === undefined, validName, topicNameBytesProblem(bytes));
      // PUBLISH QoS 0: topic, payload
      const publish = inspectPublish(0x00, Buffer.concat([field(bytes), Buffer.from('p')]));
      assert.equal(publish.kind === 'ok', validName, JSON.stringify(publish));
      // SUBSCRIBE: packet id 1, filter, QoS 0; UNSUBSCRIBE: packet id 1, filter
      const subscribe = inspectFilters(0x02, Buffer.concat([Buffer.from([0, 1]), field(bytes), Buffer.from([0])]), true);
      assert.equal(subscribe.kind === 'ok', validFilter, JSON.stringify(subscribe));
      const unsubscribe = inspectFilters(0x02, Buffer.concat([Buffer.from([0, 1]), field(bytes)]), false);
      assert.equal(unsubscribe.kind === 'ok', validFilter, JSON.stringify(unsubscribe));
    });
  }
});
