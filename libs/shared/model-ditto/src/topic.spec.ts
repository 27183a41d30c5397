import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildDittoTopic, isTopicForThing, parseDittoTopic, type DittoTopic } from './topic';

describe('parseDittoTopic / buildDittoTopic', () => {
  const valid: Array<[string, DittoTopic]> = [
    [
      'demo/device/things/twin/commands/modify',
      { namespace: 'demo', name: 'device', group: 'things', channel: 'twin', criterion: 'commands', action: 'modify' },
    ],
    [
      'demo/device:edge:containers/things/live/messages/create',
      {
        namespace: 'demo',
        name: 'device:edge:containers',
        group: 'things',
        channel: 'live',
        criterion: 'messages',
        subject: 'create',
      },
    ],
    [
      'com.acme/dev/things/twin/events/modified',
      { namespace: 'com.acme', name: 'dev', group: 'things', channel: 'twin', criterion: 'events', action: 'modified' },
    ],
    [
      '_/_/things/twin/commands/retrieve',
      { namespace: '_', name: '_', group: 'things', channel: 'twin', criterion: 'commands', action: 'retrieve' },
    ],
    ['demo/d/things/twin/errors', { namespace: 'demo', name: 'd', group: 'things', channel: 'twin', criterion: 'errors' }],
    [
      'demo/d/things/live/messages/a/b',
      { namespace: 'demo', name: 'd', group: 'things', channel: 'live', criterion: 'messages', subject: 'a/b' },
    ],
  ];
  for (const [text, topic] of valid) {
    it(`round-trips ${text}`, () => {
      assert.deepEqual(parseDittoTopic(text), { ok: true, topic });
      assert.equal(buildDittoTopic(topic), text);
    });
  }

  const invalid: unknown[] = [
    undefined,
    '',
    'demo/device',
    'demo/device/policies/twin/commands/modify',
    'demo/device/things/shadow/commands/modify',
    'demo/device/things/twin/commands/explode',
    'demo/device/things/twin/commands',
    'demo/device/things/twin/commands/modify/extra',
    'demo/device/things/twin/events/exploded',
    'demo/device/things/twin/messages/x',
    'demo/device/things/live/messages',
    'demo/device/things/live/messages/a//b',
    'demo/device/things/twin/errors/x',
    'demo/device/things/twin/search/x',
    '1demo/device/things/twin/commands/modify',
    '/device/things/twin/commands/modify',
    'demo//things/twin/commands/modify',
    'demo/de\u0001v/things/twin/commands/modify',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const r = parseDittoTopic(text);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.problems.length > 0);
    });
  }

  it('matches a topic against a thing', () => {
    const r = parseDittoTopic('demo/device/things/twin/commands/modify');
    assert.ok(r.ok);
    assert.equal(isTopicForThing(r.topic, { namespace: 'demo', name: 'device' }), true);
    assert.equal(isTopicForThing(r.topic, { namespace: 'demo', name: 'device:edge:containers' }), false);
  });
});
