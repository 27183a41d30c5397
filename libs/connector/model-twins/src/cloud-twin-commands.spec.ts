import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DittoEnvelope } from '@ledge/shared/model-ditto';
import { cloudTwinCommandTopic } from './cloud-twin-commands';

const DEVICE = 'test:device';
const envelope = (topic: string, extra: Partial<DittoEnvelope> = {}): DittoEnvelope => ({ topic, headers: {}, path: '/', ...extra });

describe('twin commands the cloud mappings take (AWS shadows, Azure reported properties)', () => {
  const taken = ['create', 'modify', 'merge', 'delete'].flatMap((action) => [`test/device/things/twin/commands/${action}`, `test/device:edge:containers/things/twin/commands/${action}`]);
  for (const topic of taken) it(`takes ${topic}`, () => assert.equal(cloudTwinCommandTopic(envelope(topic), DEVICE)?.action, topic.slice(topic.lastIndexOf('/') + 1)));

  const left: Array<[string, DittoEnvelope]> = [
    ['a retrieve', envelope('test/device/things/twin/commands/retrieve')],
    ['a response (status)', envelope('test/device/things/twin/commands/modify', { status: 204 })],
    ['a live message', envelope('test/device/things/live/messages/data')],
    ['an event', envelope('test/device/things/twin/events/modified')],
    ['another thing', envelope('test/other/things/twin/commands/modify')],
    ['a thing that only starts like the gateway', envelope('test/devices/things/twin/commands/modify')],
    ['not a Ditto topic', envelope('nonsense')],
  ];
  for (const [name, e] of left) it(`leaves ${name}`, () => assert.equal(cloudTwinCommandTopic(e, DEVICE), undefined));
});
