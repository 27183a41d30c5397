import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCommandSubscriptionTracker, parseSysLogLine, SysLogTopics } from './sys-log';

describe('parseSysLogLine (Mosquitto 2.0 format)', () => {
  it('parses subscribe, unsubscribe and disconnect notices', () => {
    assert.deepEqual(parseSysLogLine(SysLogTopics.subscribe, '1745576998: cm 1 command//demo:dev:edge:containers/req/#'), {
      kind: 'subscribe',
      clientId: 'cm',
      filter: 'command//demo:dev:edge:containers/req/#',
    });
    assert.deepEqual(parseSysLogLine(SysLogTopics.unsubscribe, '1745576998: cm c//x:y/q/#'), { kind: 'unsubscribe', clientId: 'cm', filter: 'c//x:y/q/#' });
    for (const line of ['Client cm disconnected.', 'Client cm closed its connection.', 'Socket error on client cm, disconnecting.', 'Client cm has exceeded timeout, disconnecting.']) {
      assert.deepEqual(parseSysLogLine(SysLogTopics.notice, `1: ${line}`), { kind: 'gone', clientId: 'cm' });
    }
    assert.equal(parseSysLogLine(SysLogTopics.notice, '1: New connection from 127.0.0.1:5 on port 1883.'), undefined);
    assert.equal(parseSysLogLine(SysLogTopics.subscribe, 'garbage'), undefined);
  });
});

describe('command subscription tracker (§2.1.6)', () => {
  const sub = (clientId: string, filter: string) => ({ kind: 'subscribe' as const, clientId, filter });
  it('reference counts normalised filters and ignores the connector, wildcards and the gateway', () => {
    const t = createCommandSubscriptionTracker(['ledge-connector', 'connector', 'cloud']);
    assert.deepEqual(t.apply(sub('a', 'command//x:y/req/#')).added, ['command//x:y/req/#']);
    assert.deepEqual(t.apply(sub('b', 'c//x:y/q/#')).added, []);
    assert.deepEqual(t.apply(sub('ledge-connector', 'command//z:z/req/#')).added, []);
    assert.deepEqual(t.apply(sub('a', 'command//+/req/#')).added, []);
    assert.deepEqual(t.apply(sub('a', 'command///req/#')).added, []);
    assert.deepEqual(t.apply(sub('a', 'e/#')).added, []);
    assert.deepEqual(t.apply(sub('a', 'command//x:y/req/#')).added, []);
    assert.equal(t.duplicates, 1);
    assert.deepEqual(t.apply({ kind: 'unsubscribe', clientId: 'a', filter: 'command//x:y/req/#' }).removed, []);
    assert.deepEqual(t.apply({ kind: 'gone', clientId: 'b' }).removed, ['command//x:y/req/#']);
    assert.deepEqual(t.filters(), []);
  });
});
