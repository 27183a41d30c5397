// The `$iothub/...` topics of device twins and direct methods (Azure MQTT support page).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodResponseTopic, parseIotHubTopic, parsePropertyBag, twinGetTopic, twinReportedPatchTopic } from './azure-topics';

describe('IoT Hub twin and method topics', () => {
  it('builds the request and response topics', () => {
    assert.equal(twinGetTopic('r1'), '$iothub/twin/GET/?$rid=r1');
    assert.equal(twinReportedPatchTopic('r2'), '$iothub/twin/PATCH/properties/reported/?$rid=r2');
    assert.equal(methodResponseTopic(200, '7'), '$iothub/methods/res/200/?$rid=7');
  });

  const table: [topic: string, expected: ReturnType<typeof parseIotHubTopic> | RegExp][] = [
    ['$iothub/twin/res/200/?$rid=r1', { kind: 'twin-response', status: 200, rid: 'r1' }],
    ['$iothub/twin/res/204/?$rid=r2&$version=12', { kind: 'twin-response', status: 204, rid: 'r2', version: 12 }],
    ['$iothub/twin/res/429/?$rid=r3', { kind: 'twin-response', status: 429, rid: 'r3' }],
    ['$iothub/twin/PATCH/properties/desired/?$version=5', { kind: 'desired-patch', version: 5 }],
    ['$iothub/twin/PATCH/properties/desired/', { kind: 'desired-patch' }],
    ['$iothub/methods/POST/meter.reset/?$rid=1', { kind: 'method', method: 'meter.reset', rid: '1' }],
    ['$iothub/methods/POST/a%2Fb/?$rid=%31', { kind: 'method', method: 'a%2Fb', rid: '1' }],
    ['$iothub/twin/res/abc/?$rid=1', /has no status/],
    ['$iothub/twin/res/200/', /no usable \$rid/],
    ['$iothub/twin/res/200/?$rid=a+b', /no usable \$rid/],
    ['$iothub/twin/res/200/?$rid=a%2Fb', /no usable \$rid/],
    ['$iothub/twin/PATCH/properties/desired/x/?$version=1', /extra levels/],
    ['$iothub/methods/POST//?$rid=1', /no method name/],
    ['$iothub/methods/POST/m/?$rid=' + 'x'.repeat(65), /no usable \$rid/],
    ['devices/d/messages/devicebound/', undefined],
    ['$iothub/other', undefined],
  ];
  for (const [topic, expected] of table) {
    it(`reads ${topic.slice(0, 60)}`, () => {
      const r = parseIotHubTopic(topic);
      if (expected instanceof RegExp) assert.match(String(r), expected);
      else assert.deepEqual(r, expected);
    });
  }

  it('property bags are percent-decoded; broken escapes and repeats are ignored', () => {
    assert.deepEqual([...parsePropertyBag('$rid=1&a=%41&bad=%zz&a=2&flag')], [['$rid', '1'], ['a', 'A'], ['flag', '']]);
  });
});
