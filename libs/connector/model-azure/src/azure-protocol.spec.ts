// Table-driven mapping tests for the Azure IoT Hub protocol (§2.3) and the CloudProtocol contract.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage, DeviceContext } from '@ledge/connector/model-connector';
import { cloudProtocolContract } from '@ledge/connector/model-connector/testing';
import { createAzureProtocol } from './azure-protocol';

const ctx: DeviceContext = { deviceId: 'demo:device', tenantId: 'defaultTenant', now: () => 0 };
const fixedId = () => '7e0b2b5c-0000-4000-8000-000000000001';
const BAG = '%24.ce=utf-8&%24.ct=application%2Fjson&%24.mid=7e0b2b5c-0000-4000-8000-000000000001';
const msg = (topic: string, payload: string | Buffer): BusMessage => ({ topic, payload: Buffer.from(payload), qos: 1 });
const envelope = (topic: string, headers: object = { 'correlation-id': 'corr-1' }) =>
  JSON.stringify({ topic, headers, path: '/features/SoftwareUpdatable/inbox/messages/install', value: { a: 1 } });

describe('Azure protocol: local → D2C', () => {
  const table: [name: string, topic: string][] = [
    ['event of the gateway', 'e'],
    ['long event with tenant and device', 'event/t/demo:device:edge:containers'],
    ['telemetry', 't'],
    ['telemetry with extra levels', 'telemetry//demo:device/a/b'],
    ['command response', 'command///res/r1/204'],
    ['short command response', 'c//demo:device:edge:containers/s/r1/200'],
  ];
  for (const [name, topic] of table) {
    it(name, () => {
      const payload = `{"topic":"demo/device/things/twin/commands/modify","path":"/attributes/x","value":"${name}"}`;
      const r = createAzureProtocol({ newMessageId: fixedId }).toCloud(msg(topic, payload), ctx);
      assert.ok(r.ok);
      assert.deepEqual(r.messages.map((m) => [m.topic, m.payload.toString(), m.qos]), [[`devices/demo:device/messages/events/${BAG}`, payload, 1]]);
    });
  }

  it('uses the Azure device ID from the connection string and a fresh $.mid per message', () => {
    let n = 0;
    const p = createAzureProtocol({ azureDeviceId: 'gw-01', newMessageId: () => `id-${++n}` });
    const topics = [1, 2].map(() => {
      const r = p.toCloud(msg('e', 'x'), ctx);
      assert.ok(r.ok);
      return r.messages[0]!.topic;
    });
    assert.deepEqual(topics, ['devices/gw-01/messages/events/%24.ce=utf-8&%24.ct=application%2Fjson&%24.mid=id-1', 'devices/gw-01/messages/events/%24.ce=utf-8&%24.ct=application%2Fjson&%24.mid=id-2']);
    assert.deepEqual(p.cloudSubscriptions(ctx), [
      'devices/gw-01/messages/devicebound/#',
      '$iothub/twin/res/#',
      '$iothub/twin/PATCH/properties/desired/#',
      '$iothub/methods/POST/#',
    ]);
  });

  it('payload goes unchanged, even binary', () => {
    const payload = Buffer.from([0, 255, 1]);
    const r = createAzureProtocol().toCloud({ topic: 't', payload, qos: 0 }, ctx);
    assert.ok(r.ok && r.messages[0]!.payload.equals(payload));
  });

  const drops: [name: string, topic: string, payload: string | Buffer, re: RegExp][] = [
    ['command request', 'command///req/r/op', '{}', /not sent to the cloud/],
    ['unknown topic', 'foo/bar', '{}', /does not start with/],
    ['over 256 KiB', 'e', Buffer.alloc(256 * 1024 + 1), /D2C limit/],
  ];
  for (const [name, topic, payload, re] of drops) {
    it(`drops ${name}`, () => {
      const r = createAzureProtocol().toCloud(msg(topic, payload), ctx);
      assert.match(r.ok ? 'ok' : r.drop, re);
    });
  }
});

describe('Azure protocol: C2D → local commands', () => {
  const C2D = 'devices/demo:device/messages/devicebound/%24.to=%2Fdevices%2Fdemo%3Adevice%2Fmessages%2FdeviceBound&a=b';
  const table: [name: string, payload: string, expected: string[] | RegExp, options?: Parameters<typeof createAzureProtocol>[0]][] = [
    ['live message to the gateway', envelope('demo/device/things/live/messages/install'), ['command//demo:device/req/corr-1/install', 'c//demo:device/q/corr-1/install']],
    ['gateway on the empty device level when asked', envelope('demo/device/things/live/messages/install'), ['command///req/corr-1/install', 'c///q/corr-1/install'], { gatewayCommandDevice: 'empty' }],
    ['child thing', envelope('demo/device:edge:containers/things/live/messages/create'), ['command//demo:device:edge:containers/req/corr-1/create', 'c//demo:device:edge:containers/q/corr-1/create']],
    ['twin command uses the action', envelope('demo/device/things/twin/commands/modify'), ['command//demo:device/req/corr-1/modify', 'c//demo:device/q/corr-1/modify']],
    ['no correlation-id → one-way', envelope('demo/device/things/live/messages/x', {}), ['command//demo:device/req//x', 'c//demo:device/q//x']],
    ['subject with levels', envelope('demo/device/things/live/messages/a/b'), ['command//demo:device/req/corr-1/a/b', 'c//demo:device/q/corr-1/a/b']],
    ['not an envelope', '{"hello":1}', /not a Ditto envelope/],
    ['invalid Ditto topic', envelope('demo/device/things/dead/messages/x'), /C2D envelope topic/],
    ['placeholder thing', envelope('_/_/things/twin/commands/retrieve'), /names no thing/],
    ['wildcard correlation-id', envelope('demo/device/things/live/messages/x', { 'correlation-id': 'a/#' }), /cannot be a topic level/],
  ];
  for (const [name, payload, expected, options] of table) {
    it(name, () => {
      const r = createAzureProtocol(options).toLocal(msg(C2D, payload), ctx);
      if (expected instanceof RegExp) assert.match(r.ok ? 'ok' : r.drop, expected);
      else {
        assert.ok(r.ok, r.ok ? '' : r.drop);
        assert.deepEqual(r.messages.map((m) => m.topic), expected);
        assert.ok(r.messages.every((m) => m.payload.toString() === payload && m.qos === 1));
      }
    });
  }

  it('ignores other devices\' and non-C2D topics', () => {
    const p = createAzureProtocol();
    for (const topic of ['devices/other/messages/devicebound/x', 'devices/demo:device/messages/events/x', '$iothub/twin/res/200']) {
      assert.equal(p.toLocal(msg(topic, envelope('demo/device/things/live/messages/x')), ctx).ok, false);
    }
  });
});

cloudProtocolContract('azure', {
  make: () => createAzureProtocol(),
  ctx,
  localSamples: [
    msg('e', '{}'),
    msg('t/x/y', 'bin'),
    msg('command///res/1/204', '{}'),
    msg('e', '{"topic":"demo/device/things/twin/commands/modify","headers":{},"path":"/features/meter/properties","value":{"a":1}}'),
    msg('command///res/azure-method-7/200', '{"topic":"demo/device/things/live/messages/x","headers":{},"path":"/features/f/outbox/messages/x","status":200,"value":1}'),
  ],
  cloudSamples: [
    msg('devices/demo:device/messages/devicebound/', envelope('demo/device/things/live/messages/install')),
    msg('$iothub/methods/POST/meter.reset/?$rid=1', '{"to":0}'),
  ],
});
