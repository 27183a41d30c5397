import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCloudAddress } from './address';

describe('parseCloudAddress (§2.1.1)', () => {
  const cases: [string, string, boolean][] = [
    ['mqtts://mqtt.bosch-iot-hub.com:8883', 'mqtts://mqtt.bosch-iot-hub.com:8883', true],
    ['ssl://h:1', 'mqtts://h:1', true],
    ['tls://h:2', 'mqtts://h:2', true],
    ['mqtt+ssl://h:3', 'mqtts://h:3', true],
    ['tcps://h:4', 'mqtts://h:4', true],
    ['wss://h:443', 'wss://h:443/mqtt', true],
    ['tcp://localhost:1883', 'mqtt://localhost:1883', false],
    ['mqtt://127.0.0.1:1', 'mqtt://127.0.0.1:1', false],
    ['TLS://h', 'mqtts://h:8883', true],
    ['mqtt://[::1]:1883', 'mqtt://[::1]:1883', false],
  ];
  for (const [address, url, secure] of cases) {
    it(`${address} → ${url}`, () => {
      const a = parseCloudAddress(address);
      assert.equal(a.url, url);
      assert.equal(a.secure, secure);
    });
  }
  for (const bad of ['', 'host:1883', 'http://h:1', 'mqtt://h:0', 'mqtt://h:70000', 'mqtt://']) {
    it(`rejects "${bad}"`, () => assert.throws(() => parseCloudAddress(bad), { code: 'LEDGE_CONNECTOR_INVALID_ADDRESS' }));
  }
});
