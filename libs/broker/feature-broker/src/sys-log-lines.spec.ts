import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatClientConnected, formatDisconnect, formatNewConnection, formatSubscribe, formatUnsubscribe } from './sys-log-lines';

// The exact lines mosquitto 2.0.11 publishes with log_dest topic (captured from a real broker).
const T = 1_795_436_817_123;

describe('Mosquitto $SYS log lines', () => {
  it('match Mosquitto byte for byte', () => {
    assert.deepEqual(formatSubscribe(T, 'unsub1', 2, 'command//a:b/req/#'), { type: 'subscribe', text: '1795436817: unsub1 2 command//a:b/req/#' });
    assert.deepEqual(formatUnsubscribe(T, 'unsub1', 'x/+/y'), { type: 'unsubscribe', text: '1795436817: unsub1 x/+/y' });
    assert.equal(formatNewConnection(T, '127.0.0.1', 36246, 18831).text, '1795436817: New connection from 127.0.0.1:36246 on port 18831.');
    const base = { address: '127.0.0.1', port: 36246, clientId: 'unsub1', protocolLevel: 4, clean: false, keepalive: 30 };
    assert.equal(formatClientConnected(T, { ...base, username: 'bob' }).text, "1795436817: New client connected from 127.0.0.1:36246 as unsub1 (p2, c0, k30, u'bob').");
    assert.equal(formatClientConnected(T, { ...base, protocolLevel: 3, clean: true, keepalive: 60 }).text, '1795436817: New client connected from 127.0.0.1:36246 as unsub1 (p1, c1, k60).');
  });

  it('word each end of a connection like Mosquitto (and as suite-connector parses it)', () => {
    const line = (r: Parameters<typeof formatDisconnect>[2], ...id: [string | undefined] | []) => formatDisconnect(T, id.length ? id[0] : 'dev', r)?.text;
    assert.equal(line('disconnect'), '1795436817: Client dev disconnected.');
    assert.equal(line('closed'), '1795436817: Client dev closed its connection.');
    assert.equal(line('socket-error'), '1795436817: Socket error on client dev, disconnecting.');
    assert.equal(line('keepalive'), '1795436817: Client dev has exceeded timeout, disconnecting.');
    assert.equal(line('protocol'), '1795436817: Client dev disconnected due to protocol error.');
    assert.equal(line('malformed'), '1795436817: Client dev disconnected due to malformed packet.');
    assert.equal(line('oversize'), '1795436817: Client dev disconnected due to oversize packet.');
    assert.equal(line('auth'), '1795436817: Client dev disconnected, not authorised.');
    assert.equal(line('closed', undefined), '1795436817: Client <unknown> closed its connection.');
    assert.equal(line('takeover'), undefined);
    assert.equal(line('shutdown'), undefined);
    // suite-connector routing/subscription.go
    assert.match(line('disconnect')!, /(\d{6,11}): Client ([[:print:]]+|\S+) (disconnected.)/);
  });
});
