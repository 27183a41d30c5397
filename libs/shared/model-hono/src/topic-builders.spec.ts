import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildCommandRequestTopics,
  buildCommandResponseTopic,
  buildCommandSubscription,
  buildEventTopic,
  buildTelemetryTopic,
  normaliseCommandSubscription,
} from './topic-builders';

describe('topic builders (§1.1, §1.3)', () => {
  it('builds event and telemetry topics', () => {
    const cases: Array<[string, string]> = [
      [buildEventTopic(), 'event'],
      [buildEventTopic({ tenantId: 'demo', deviceId: 'demo:device' }), 'event/demo/demo:device'],
      [buildEventTopic({ deviceId: 'demo:device:edge:containers' }), 'event//demo:device:edge:containers'],
      [buildEventTopic({ tenantId: 'demo' }), 'event/demo'],
      [buildTelemetryTopic({ tenantId: 'demo', deviceId: 'demo:d', extra: 'a/b' }), 'telemetry/demo/demo:d/a/b'],
      [buildTelemetryTopic({ extra: 'x' }), 'telemetry///x'],
    ];
    for (const [actual, expected] of cases) assert.equal(actual, expected);
  });

  it('builds local command topics in long and short form', () => {
    assert.deepEqual(buildCommandRequestTopics({ deviceId: 'demo:d', requestId: '42', command: 'su' }), {
      long: 'command//demo:d/req/42/su',
      short: 'c//demo:d/q/42/su',
    });
    assert.deepEqual(buildCommandRequestTopics({ requestId: '', command: 'x' }), {
      long: 'command///req//x',
      short: 'c///q//x',
    });
  });

  it('builds response topics with an empty tenant level', () => {
    assert.equal(buildCommandResponseTopic({ deviceId: 'demo:d', requestId: '42', status: 200 }), 'command//demo:d/res/42/200');
    assert.equal(buildCommandResponseTopic({ requestId: 'abc', status: 204 }), 'command///res/abc/204');
  });

  it('builds and normalises command subscriptions (§2.1.6)', () => {
    assert.equal(buildCommandSubscription(), 'command///req/#');
    assert.equal(buildCommandSubscription('demo:d:edge:containers'), 'command//demo:d:edge:containers/req/#');
    const cases: Array<[string, string | undefined]> = [
      ['command//demo:d/req/#', 'command//demo:d/req/#'],
      ['c//demo:d/q/#', 'command//demo:d/req/#'],
      ['c//demo:d/req/#', 'command//demo:d/req/#'],
      ['command///req/#', 'command///req/#'],
      ['command//+/req/#', undefined],
      ['command/demo/d/req/#', undefined],
      ['command//d/req/1/#', undefined],
      ['command//d/res/#', undefined],
      ['e/#', undefined],
    ];
    for (const [filter, expected] of cases) assert.equal(normaliseCommandSubscription(filter), expected, filter);
  });
});
