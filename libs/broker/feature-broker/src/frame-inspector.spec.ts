import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFrameInspector } from './frame-inspector';
import type { Verdict } from './packet-rules';
import * as raw from './testing/raw-packets';

const MAX = 1024;
const CONNECT = raw.connect({ clientId: 'c' });

/** Feeds packets after a valid CONNECT; returns the verdict (ok when none) and what was forwarded. */
function run(packets: Buffer[], withConnect = true): { verdict: Verdict; forwarded: number } {
  const insp = createFrameInspector({ maxPacketSize: MAX });
  let forwarded = 0;
  for (const p of withConnect ? [CONNECT, ...packets] : packets) {
    const r = insp.push(p);
    forwarded += r.forward?.length ?? 0;
    if (r.verdict) return { verdict: r.verdict, forwarded };
  }
  return { verdict: { kind: 'ok' }, forwarded };
}

const ok = (packets: Buffer[], withConnect = true) => assert.equal(run(packets, withConnect).verdict.kind, 'ok');
function refused(packets: Buffer[], expect: Partial<Record<'kind' | 'reason' | 'rule', unknown>> & { returnCode?: number }, withConnect = true) {
  const { verdict } = run(packets, withConnect);
  for (const [k, v] of Object.entries(expect)) assert.equal((verdict as Record<string, unknown>)[k], v, `${k} of ${JSON.stringify(verdict)}`);
}

describe('frame inspector and packet rules', () => {
  it('passes valid traffic through unchanged, in whole packets', () => {
    const stream = Buffer.concat([CONNECT, raw.subscribe(1, [['a/#', 1], ['+/b', 2]]), raw.publish('a/b', 'x'.repeat(300), 1, 7), raw.PINGREQ, raw.unsubscribe(2, ['a/#']), raw.DISCONNECT]);
    const insp = createFrameInspector({ maxPacketSize: MAX });
    const out: Buffer[] = [];
    // byte by byte: packets are only handed on once complete
    for (let i = 0; i < stream.length; i++) {
      const r = insp.push(stream.subarray(i, i + 1));
      assert.equal(r.verdict, undefined);
      if (r.forward) out.push(r.forward);
    }
    assert.deepEqual(Buffer.concat(out), stream);
    assert.equal(out.length, 6);
    assert.equal(insp.buffered, 0);
  });

  it('enforces the CONNECT rules of §3.1', () => {
    ok([raw.connect({ clientId: '', clean: true })], false);
    ok([raw.connect({ protocolName: 'MQIsdp', level: 3, clientId: 'old' })], false);
    ok([raw.connect({ level: 0x84, clientId: 'bridge' })], false); // Mosquitto bridge bit
    refused([raw.connect({ level: 5 })], { kind: 'connack', returnCode: 1, rule: 'MQTT-3.1.2-2' }, false);
    refused([raw.connect({ level: 6 })], { kind: 'connack', returnCode: 1 }, false);
    refused([raw.connect({ level: 3 })], { kind: 'connack', returnCode: 1 }, false); // MQTT + level 3
    refused([raw.connect({ protocolName: 'MQTX' })], { kind: 'close', reason: 'protocol', rule: 'MQTT-3.1.2-1' }, false);
    refused([raw.connect({ clientId: '', clean: false })], { kind: 'connack', returnCode: 2, rule: 'MQTT-3.1.3-8' }, false);
    refused([raw.connect({ protocolName: 'MQIsdp', level: 3, clientId: '' })], { kind: 'connack', returnCode: 2 }, false);
    refused([raw.connect({ extraFlags: 0x01 })], { kind: 'close', rule: 'MQTT-3.1.2-3' }, false);
    refused([raw.connect({ password: 'p' })], { kind: 'close', rule: 'MQTT-3.1.2-22' }, false);
    refused([raw.connect({ extraFlags: 0x18 })], { kind: 'close', rule: 'MQTT-3.1.2-13' }, false);
    refused([raw.connect({ will: { topic: 'w', qos: 3 } })], { kind: 'close', rule: 'MQTT-3.1.2-14' }, false);
    refused([raw.connect({ will: { topic: 'w/#' } })], { kind: 'close', reason: 'protocol' }, false);
    refused([raw.connect({ will: { topic: 'w\u0000' } })], { kind: 'close' }, false);
    refused([raw.connect({ will: { topic: '' } })], { kind: 'close' }, false);
    refused([raw.connect({ clientId: Buffer.from([0x61, 0xff]) })], { kind: 'close', reason: 'malformed' }, false);
    refused([raw.connect({ username: Buffer.from([0xed, 0xa0, 0x80]) })], { kind: 'close', reason: 'malformed' }, false); // UTF-16 surrogate
    refused([raw.frame(0x10, Buffer.from([0, 4, 0x4d, 0x51]))], { kind: 'close', reason: 'malformed' }, false);
  });

  it('requires CONNECT first and only once, and refuses a non-CONNECT first byte at once', () => {
    refused([raw.publish('a')], { rule: 'MQTT-3.1.0-1' }, false);
    const r = createFrameInspector({ maxPacketSize: MAX }).push(Buffer.from('G')); // "GET / HTTP/1.1"
    assert.equal(r.verdict?.rule, 'MQTT-3.1.0-1');
    refused([CONNECT], { rule: 'MQTT-3.1.0-2' });
  });

  it('enforces topic names in PUBLISH', () => {
    ok([raw.publish('a/b'), raw.publish('$SYS/x'), raw.publish('/', '', 2, 9)]);
    refused([raw.publish('a/+')], { kind: 'close', reason: 'protocol' });
    refused([raw.publish('a/#')], { kind: 'close', reason: 'protocol' });
    refused([raw.publish('')], { kind: 'close', reason: 'protocol' });
    refused([raw.publish('a\u0000b')], { kind: 'close', reason: 'malformed' });
    refused([raw.publish(Buffer.from([0xc3, 0x28]))], { kind: 'close', reason: 'malformed' });
    refused([raw.publish('a', 'x', 1, 0)], { rule: 'MQTT-2.3.1-1' });
    refused([raw.frame(0x36, Buffer.from([0, 1, 0x61, 0, 1]))], { reason: 'malformed', rule: 'MQTT-3.3.1-4' }); // QoS 3
  });

  it('enforces topic filters in SUBSCRIBE and UNSUBSCRIBE', () => {
    for (const f of ['a#', 'a+', '+a', 'a/+b', 'a/#/b', '', 'a\u0000']) {
      refused([raw.subscribe(1, [['ok', 0], [f, 0]])], { kind: 'close' });
      refused([raw.unsubscribe(1, [f])], { kind: 'close' });
    }
    refused([raw.subscribe(1, [['a', 3]])], { reason: 'malformed' });
    refused([raw.subscribe(1, [['a', 0x04]])], { reason: 'malformed' });
    refused([raw.subscribe(1, [])], { rule: 'MQTT-3.8.3-3' });
    refused([raw.unsubscribe(1, [])], { rule: 'MQTT-3.10.3-2' });
    refused([raw.frame(0x80, Buffer.concat([Buffer.from([0, 1]), raw.field('a'), Buffer.from([0])]))], { rule: 'MQTT-3.8.1-1' });
    refused([raw.subscribe(0, [['a', 0]])], { rule: 'MQTT-2.3.1-1' });
  });

  it('refuses reserved and server-only packet types', () => {
    for (const b of [0x00, 0xf0, 0x20, 0x90, 0xb0, 0xd0]) refused([Buffer.from([b, 0])], { kind: 'close', reason: 'protocol' });
  });

  it('refuses an oversized packet from its header, before buffering it', () => {
    const insp = createFrameInspector({ maxPacketSize: MAX });
    insp.push(CONNECT);
    const header = Buffer.concat([Buffer.from([0x30]), raw.varint(MAX)]); // total MAX + 3 > MAX
    const r = insp.push(header);
    assert.equal(r.verdict?.kind === 'close' && r.verdict.reason, 'oversize');
    assert.equal(insp.buffered, 0, 'nothing held for the refused packet');
    refused([raw.publish('t', 'x'.repeat(MAX))], { reason: 'oversize' });
    refused([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])], { reason: 'oversize' }); // announced 256 MiB
    const huge = createFrameInspector({ maxPacketSize: 300_000_000 });
    huge.push(CONNECT);
    assert.equal(huge.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])).verdict?.rule, 'MQTT-2.2.3'); // 5-byte length
  });

  it('hands on the packets before a refused one and nothing after', () => {
    const good = raw.publish('a', 'x');
    const { verdict, forwarded } = run([Buffer.concat([good, raw.publish('a/#'), good])]);
    assert.equal(verdict.kind, 'close');
    assert.equal(forwarded, CONNECT.length + good.length);
  });
});
