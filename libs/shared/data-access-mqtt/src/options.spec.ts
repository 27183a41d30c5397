import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultLocalBusOptions, resolveLocalBusOptions, toBuffer, toMqttOptions } from './options';

describe('local bus options', () => {
  it('has frozen defaults: local broker, clean session, 500 ms…30 s backoff with ±25 %', () => {
    assert.ok(Object.isFrozen(defaultLocalBusOptions));
    assert.ok(Object.isFrozen(defaultLocalBusOptions.backoff));
    assert.equal(defaultLocalBusOptions.url, 'mqtt://127.0.0.1:1883');
    assert.equal(defaultLocalBusOptions.clean, true);
    assert.deepEqual({ ...defaultLocalBusOptions.backoff }, { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.25 });
  });

  it('generates a client ID and merges partial backoff options', () => {
    const o = resolveLocalBusOptions({ backoff: { maxMs: 5_000 }, url: undefined });
    assert.match(o.clientId, /^ledge-[0-9a-f]{8}$/);
    assert.equal(o.url, 'mqtt://127.0.0.1:1883');
    assert.deepEqual(o.backoff, { initialMs: 500, maxMs: 5_000, multiplier: 2, jitter: 0.25 });
  });

  const bad: [string, Parameters<typeof resolveLocalBusOptions>[0], string][] = [
    ['persistent session without client ID', { clean: false }, 'LEDGE_MQTT_INVALID_OPTIONS'],
    ['unknown URL scheme', { url: 'http://x' }, 'LEDGE_MQTT_INVALID_OPTIONS'],
    ['max below initial', { backoff: { initialMs: 10, maxMs: 5 } }, 'LEDGE_MQTT_INVALID_OPTIONS'],
    ['jitter of 100 %', { backoff: { jitter: 1 } }, 'LEDGE_MQTT_INVALID_OPTIONS'],
    ['keepalive out of range', { keepaliveSeconds: 70_000 }, 'LEDGE_MQTT_INVALID_OPTIONS'],
    ['will with wildcard', { will: { topic: 'a/#', payload: '' } }, 'LEDGE_MQTT_INVALID_TOPIC'],
  ];
  for (const [name, options, code] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => resolveLocalBusOptions(options), { code }));
  }

  it('disables MQTT.js reconnect, resubscribe and offline QoS 0 queueing; passes TLS, auth and will', () => {
    const m = toMqttOptions(
      resolveLocalBusOptions({
        url: 'mqtts://gw:8883',
        clientId: 'cm',
        clean: false,
        username: 'u',
        password: 'p',
        ca: 'CA',
        cert: 'CERT',
        key: 'KEY',
        keepaliveSeconds: 20,
        will: { topic: 'edge/connection/remote/status', payload: '{"connected":false}', qos: 1, retain: true },
      }),
    );
    assert.equal(m.reconnectPeriod, 0);
    assert.equal(m.resubscribe, false);
    assert.equal(m.queueQoSZero, false);
    assert.equal(m.clean, false);
    assert.equal(m.clientId, 'cm');
    assert.equal(m.keepalive, 20);
    assert.equal(m.protocolVersion, 4);
    assert.deepEqual([m.username, m.password, m.ca, m.cert, m.key, m.rejectUnauthorized], ['u', 'p', 'CA', 'CERT', 'KEY', true]);
    assert.deepEqual(m.will, { topic: 'edge/connection/remote/status', payload: Buffer.from('{"connected":false}'), qos: 1, retain: true });
  });

  it('leaves unset credentials out', () => {
    const m = toMqttOptions(resolveLocalBusOptions({}));
    assert.equal('username' in m, false);
    assert.equal('password' in m, false);
    assert.equal('will' in m, false);
  });

  it('converts payloads to buffers without copying views wrongly', () => {
    const big = new Uint8Array([9, 1, 2, 3, 9]);
    assert.deepEqual([...toBuffer(big.subarray(1, 4))], [1, 2, 3]);
    assert.equal(toBuffer('ü').length, 2);
  });
});
