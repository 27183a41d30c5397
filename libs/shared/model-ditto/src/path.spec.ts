import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  featureMessagePath,
  featurePath,
  featurePropertyPath,
  parseFeatureMessagePath,
  parseFeaturePath,
  parseFeaturePropertyPath,
  toOutboxPath,
} from './path';

describe('feature message paths', () => {
  const valid: Array<[string, string, 'inbox' | 'outbox', string]> = [
    ['/features/ContainerFactory/inbox/messages/create', 'ContainerFactory', 'inbox', 'create'],
    ['/features/Container:abc-123/inbox/messages/stopWithOptions', 'Container:abc-123', 'inbox', 'stopWithOptions'],
    ['/features/Metrics/outbox/messages/data', 'Metrics', 'outbox', 'data'],
    ['/features/F/inbox/messages/a/b', 'F', 'inbox', 'a/b'],
  ];
  for (const [path, featureId, box, subject] of valid) {
    it(`parses ${path}`, () => {
      assert.deepEqual(parseFeatureMessagePath(path), { ok: true, path: { featureId, box, subject } });
      assert.equal(featureMessagePath(featureId, box, subject), path);
    });
  }
  for (const path of [
    '/features/F/inbox/messages',
    '/features/F/inbox/messages/',
    '/features/F/properties/x',
    '/features/F/mailbox/messages/x',
    '/features//inbox/messages/x',
    'features/F/inbox/messages/x',
    '/attributes/x',
    '/',
    7,
  ]) {
    it(`rejects ${JSON.stringify(path)}`, () => assert.equal(parseFeatureMessagePath(path).ok, false));
  }
});

describe('feature and property paths', () => {
  it('parses whole-feature and property paths', () => {
    assert.deepEqual(parseFeaturePath('/features/Container:x'), { ok: true, path: { featureId: 'Container:x', rest: [] } });
    assert.deepEqual(parseFeaturePropertyPath('/features/SoftwareUpdatable/properties/status/lastOperation'), {
      ok: true,
      path: { featureId: 'SoftwareUpdatable', pointer: ['status', 'lastOperation'] },
    });
    assert.deepEqual(parseFeaturePropertyPath('/features/F/properties'), { ok: true, path: { featureId: 'F', pointer: [] } });
    assert.equal(parseFeaturePropertyPath('/features/F/definition').ok, false);
    assert.equal(parseFeaturePath('/attributes/a').ok, false);
  });

  it('builds paths', () => {
    assert.equal(featurePath('Container:x'), '/features/Container:x');
    assert.equal(featurePropertyPath('F'), '/features/F/properties');
    assert.equal(featurePropertyPath('F', 'status/state'), '/features/F/properties/status/state');
    assert.equal(featurePropertyPath('F', 'status', 'name'), '/features/F/properties/status/name');
  });

  it('maps inbox to outbox (§3.1)', () => {
    assert.equal(toOutboxPath('/features/Container:x/inbox/messages/start'), '/features/Container:x/outbox/messages/start');
    assert.equal(toOutboxPath('/inbox/messages/hello'), '/outbox/messages/hello');
    assert.equal(toOutboxPath('/features/F/properties/x'), '/features/F/properties/x');
  });
});
