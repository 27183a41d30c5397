import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRegistryConfigurations } from './registry-config';

describe('parseRegistryConfigurations (Kanto registry_configurations)', () => {
  it('maps credentials and transport files per host', () => {
    const r = parseRegistryConfigurations({
      'registry.example.com:5000': { credentials: { user_id: 'u', password: 'p' }, transport: { root_ca: '/etc/ca.pem', client_cert: '/c.pem', client_key: '/k.pem' } },
      'docker.io': { credentials: { user_id: 'me' } },
      'plain.example.com': {},
    });
    assert.deepEqual(r, {
      ok: true,
      registries: {
        'registry.example.com:5000': { credentials: { username: 'u', password: 'p' }, tls: { rootCa: '/etc/ca.pem', clientCert: '/c.pem', clientKey: '/k.pem' } },
        'docker.io': { credentials: { username: 'me', password: '' } },
        'plain.example.com': {},
      },
    });
  });
  for (const [name, input, problem] of [
    ['not an object', [], /must be an object keyed/],
    ['bad host', { 'http://x': {} }, /not a registry host/],
    ['entry not an object', { h: 'x' }, /must be an object with credentials/],
    ['user_id not a string', { h: { credentials: { user_id: 1 } } }, /user_id must be a string/],
    ['cert without key', { h: { transport: { client_cert: '/c' } } }, /go together/],
    ['unknown key', { h: { tls: {} } }, /not a known key/],
  ] as const) {
    it(`refuses ${name}`, () => {
      const r = parseRegistryConfigurations(input);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.problems.join('; '), problem);
    });
  }
});
