// The local twins in the bridge (issue 20) on fakes: the gated local bus, the in-memory record store,
// a fake Hono cloud and fake time. The twin rules themselves are model-twins' specs; these check the
// wiring: durable before the local PUBACK, answered locally, forwarded online with the marks set on the
// cloud's PUBACK, the sync 2 s after a connect (retrieve → desired properties → push), a restart on what
// was flushed, and the cloud's desired state when local twins are off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudProtocol, DesiredUpdate } from '@ledge/connector/model-connector';
import { createHonoProtocol } from '@ledge/connector/model-hono';
import { SYNC_DELAY_MS, RETRIEVE_TIMEOUT_MS } from './bridge-twins';
import { startBridge, type Harness, type HarnessSettings } from './testing/bridge-harness';
import { createMemoryTwinRecords } from './testing/memory-twin-records';

type Env = { topic: string; headers?: Record<string, unknown>; path: string; value?: unknown; status?: number };

const twin = (action: string, path: string, value?: unknown, headers: Record<string, unknown> = {}) =>
  JSON.stringify({ topic: `demo/device/things/twin/commands/${action}`, headers: { 'correlation-id': `c-${action}`, ...headers }, path, ...(value === undefined ? {} : { value }) });

const localTopics = (h: Harness) => h.local.bus.published.map((p) => p.topic).filter((t) => t.startsWith('command///req//'));
const localEnv = (h: Harness, topic: string): Env[] => h.local.bus.published.filter((p) => p.topic === topic).map((p) => JSON.parse(p.payload.toString()) as Env);
const cloudEnvs = (h: Harness): Env[] => h.sent('event/').map((p) => JSON.parse(p) as Env);
const stored = (h: Harness, key: string) => h.twinRecords.get(key) as Record<string, unknown> | undefined;

async function twins(t: { after(fn: () => unknown): void }, settings: HarnessSettings = {}): Promise<Harness> {
  const h = await startBridge(t, { localTwins: true, ...settings });
  h.attach();
  await h.time.settle();
  return h;
}

/** Online, past the sync of the connect (the cloud answers no retrieve: pushed after the timeout). */
async function online(h: Harness): Promise<void> {
  h.cloud.connect();
  await h.time.advance(SYNC_DELAY_MS + RETRIEVE_TIMEOUT_MS);
}

describe('bridge: local twins', () => {
  it('offline: a twin command is stored and flushed before its local PUBACK, answered and announced locally, and neither queued nor sent', async (t) => {
    const h = await twins(t);
    assert.equal(await h.local.deliver('e', twin('modify', '/features/meter', { properties: { value: 1 } })), 'acked');
    const flush = h.trace.indexOf('twins:flush');
    assert.ok(flush >= 0 && flush < h.trace.indexOf('puback e'), `flushed before the PUBACK: ${h.trace.join(', ')}`);
    await h.time.settle();
    // the thing did not exist: created first (Kanto's auto-provisioning), then the feature
    assert.deepEqual(localTopics(h), ['command///req//created', 'command///req//modify-response', 'command///req//created']);
    assert.deepEqual(localEnv(h, 'command///req//created').map((e) => e.path), ['/', '/features/meter']);
    assert.equal(localEnv(h, 'command///req//modify-response')[0]!.status, 201);
    assert.deepEqual(h.queued(), [], 'not in the outbox');
    assert.deepEqual(h.sent(''), []);
    assert.deepEqual(stored(h, 'f\u0000demo:device\u0000meter')?.['feature'], { properties: { value: 1 } });
    // retrieve: answered from the store, offline
    await h.local.deliver('e', twin('retrieve', '/features/meter/properties/value'));
    await h.time.settle();
    assert.deepEqual(localEnv(h, 'command///req//retrieve-response').map((e) => [e.status, e.value]), [[200, 1]]);
    // a field selector is honoured
    await h.local.deliver('e', JSON.stringify({ ...JSON.parse(twin('retrieve', '/')), fields: 'features(meter/properties)' }));
    await h.time.settle();
    assert.deepEqual(localEnv(h, 'command///req//retrieve-response')[1]!.value, { features: { meter: { properties: { value: 1 } } } });
  });

  it('online: the change goes up at once, not through the outbox, and is marked synchronised on the cloud PUBACK only', async (t) => {
    const h = await twins(t);
    await online(h);
    h.cloud.autoAck = false;
    await h.local.deliver('e', twin('modify', '/features/meter', { properties: { value: 1 } }, { 'response-required': false }));
    await h.time.settle();
    assert.deepEqual(localTopics(h), ['command///req//created', 'command///req//created'], 'no response when none is required');
    const up = cloudEnvs(h).filter((e) => e.path === '/features/meter');
    assert.equal(up.length, 1);
    assert.equal(up[0]!.headers?.['response-required'], false);
    assert.deepEqual(h.queued(), []);
    assert.notEqual(stored(h, 'f\u0000demo:device\u0000meter')?.['unsynced'], undefined, 'unsynchronised until the PUBACK');
    h.cloud.ack();
    await h.time.settle();
    assert.equal(stored(h, 'f\u0000demo:device\u0000meter')?.['unsynced'], undefined, 'synchronised');
  });

  it('twin changes and other events reach the cloud in the order local apps published them', async (t) => {
    const h = await twins(t);
    await online(h);
    const live = (n: number) => JSON.stringify({ topic: 'demo/device/things/live/messages/tick', headers: {}, path: `/features/clock/outbox/messages/tick${n}`, value: n });
    const before = cloudEnvs(h).length;
    await Promise.all([
      h.local.deliver('e', live(1)),
      h.local.deliver('e', twin('modify', '/features/clock', { properties: { n: 1 } }, { 'response-required': false })),
      h.local.deliver('e', live(2)),
      h.local.deliver('e', twin('modify', '/features/clock/properties/n', 2, { 'response-required': false })),
    ]);
    await h.time.settle();
    assert.deepEqual(cloudEnvs(h).slice(before).map((e) => e.path), ['/features/clock/outbox/messages/tick1', '/features/clock', '/features/clock/outbox/messages/tick2', '/features/clock/properties/n']);
  });

  it('a change the cloud never acknowledged (the link dropped) is pushed by the sync after the next connect', async (t) => {
    const h = await twins(t);
    await online(h);
    h.cloud.autoAck = false;
    await h.local.deliver('e', twin('modify', '/features/meter', { properties: { value: 1 } }));
    await h.time.settle();
    h.cloud.drop();
    await h.time.settle();
    const before = cloudEnvs(h).length;
    h.cloud.autoAck = true;
    h.cloud.connect();
    await h.time.advance(SYNC_DELAY_MS);
    const retrieve = cloudEnvs(h).slice(before).find((e) => e.topic.endsWith('/things/twin/commands/retrieve'));
    assert.ok(retrieve, 'the sync asks for the desired properties first');
    assert.equal(retrieve.headers?.['reply-to'], 'command/demo');
    // the cloud answers (Ditto through Hono): desired properties of meter
    h.cloud.deliver('command///req/r-1/retrieve', JSON.stringify({ topic: retrieve.topic, headers: { 'correlation-id': retrieve.headers?.['correlation-id'] }, path: '/', status: 200, value: { features: { meter: { desiredProperties: { target: 5 } } } } }));
    await h.time.settle();
    assert.deepEqual(localEnv(h, 'command///req//modified').filter((e) => e.path === '/features/meter/desiredProperties').map((e) => e.value), [{ target: 5 }]);
    const pushed = cloudEnvs(h).slice(before).filter((e) => e.path.startsWith('/features/meter') && e.topic.endsWith('/commands/modify'));
    assert.deepEqual(pushed.map((e) => [e.path, e.value]), [['/features/meter/properties', { value: 1 }]], 'properties only: the cloud desired properties stay');
    assert.equal(stored(h, 'f\u0000demo:device\u0000meter')?.['unsynced'], undefined);
    assert.equal(h.local.bus.published.filter((p) => p.topic.startsWith('command///req/r-1')).length, 0, 'the answer is not a command for local apps');
  });

  it('a restart on what was flushed: the offline change survives and is pushed after the connect', async (t) => {
    const first = await twins(t);
    await first.local.deliver('e', twin('modify', '/features/meter', { properties: { value: 7 } }));
    await first.bridge.close();
    const h = await twins(t, { twinRecords: createMemoryTwinRecords(first.twinRecords.durable()) });
    await online(h);
    assert.deepEqual(cloudEnvs(h).filter((e) => e.path === '/features/meter').map((e) => e.value), [{ properties: { value: 7 } }], 'never acknowledged before: the whole feature');
  });

  it('deleted offline: one merge of /features with null; the feature is forgotten once acknowledged', async (t) => {
    const h = await twins(t);
    await online(h);
    await h.local.deliver('e', twin('modify', '/features/lamp', { properties: { on: true } }));
    await h.time.settle();
    h.cloud.drop();
    await h.time.settle();
    await h.local.deliver('e', twin('delete', '/features/lamp'));
    const before = cloudEnvs(h).length;
    await online(h);
    const merges = cloudEnvs(h).slice(before).filter((e) => e.topic.endsWith('/commands/merge'));
    assert.deepEqual(merges.map((e) => [e.path, e.value, e.headers?.['content-type']]), [['/features', { lamp: null }, 'application/merge-patch+json']]);
    assert.deepEqual((stored(h, 't\u0000demo:device')?.['deletedFeatures'] as string[] | undefined) ?? [], []);
  });

  it('a change the store refuses (too large a record) changes nothing in the twin and goes through the outbox, acknowledged: never redelivered in a loop', async (t) => {
    const records = createMemoryTwinRecords();
    const batch = records.batch.bind(records);
    records.batch = (ops) => {
      if (ops.some((op) => 'put' in op && JSON.stringify(op.put[1]).length > 1000)) throw new Error('record too large');
      batch(ops);
    };
    const h = await twins(t, { twinRecords: records });
    assert.equal(await h.local.deliver('e', twin('modify', '/features/meter', { properties: { value: 1 } })), 'acked');
    assert.equal(await h.local.deliver('e', twin('modify', '/features/meter/properties/blob', 'x'.repeat(2000))), 'acked');
    await h.time.settle();
    assert.deepEqual(h.queued(), ['e'], 'the refused change waits in the outbox for the cloud');
    assert.deepEqual((stored(h, 'f\u0000demo:device\u0000meter')?.['feature'] as { properties: unknown }).properties, { value: 1 }, 'the twin is unchanged');
  });

  it('events that are not twin commands still go through the outbox', async (t) => {
    const h = await twins(t);
    await h.local.deliver('e', JSON.stringify({ topic: 'demo/device/things/live/messages/data', headers: {}, path: '/features/Metrics/outbox/messages/data', value: {} }));
    assert.deepEqual(h.queued(), ['e']);
  });
});

describe('bridge: the cloud desired state', () => {
  const update: DesiredUpdate = { thingId: 'demo:device', featureId: 'meter', mode: 'merge', value: { target: 3 } };
  /** Hono's mapping plus a desired-state answer and connect requests, as AWS and Azure have. */
  const protocol = (): CloudProtocol & { requested: unknown[] } => {
    const hono = createHonoProtocol();
    const requested: unknown[] = [];
    return {
      ...hono,
      requested,
      connectRequests: (_ctx, known) => {
        requested.push(known);
        return [{ topic: 'twin/get', payload: Buffer.from(''), qos: 1 }];
      },
      toLocal: (m, ctx) => (m.topic === 'twin/desired' ? { ok: true, messages: [], desired: [update] } : hono.toLocal(m, ctx)),
    };
  };

  it('local twins off: the connect requests go up and desired properties become local twin events', async (t) => {
    const p = protocol();
    const h = await startBridge(t, { protocol: p });
    h.attach().connect();
    await h.time.settle();
    assert.deepEqual(h.sent('twin/get'), ['']);
    assert.deepEqual(p.requested, [[]], 'nothing known without a store');
    h.cloud.deliver('twin/desired', '{}');
    await h.time.settle();
    const events = localEnv(h, 'command///req//merged');
    assert.deepEqual(events.map((e) => [e.topic, e.path, e.value]), [['demo/device/things/twin/events/merged', '/features/meter/desiredProperties', { target: 3 }]]);
  });

  it('local twins on: the store knows the features it asks about and keeps the desired properties', async (t) => {
    const p = protocol();
    const h = await twins(t, { protocol: p });
    await h.local.deliver('e', twin('modify', '/features/meter', { properties: { value: 1 } }));
    h.cloud.connect();
    await h.time.settle();
    assert.deepEqual(p.requested, [[{ thingId: 'demo:device', featureIds: ['meter'] }]]);
    h.cloud.deliver('twin/desired', '{}');
    await h.time.settle();
    assert.deepEqual((stored(h, 'f\u0000demo:device\u0000meter')?.['feature'] as { desiredProperties?: unknown }).desiredProperties, { target: 3 });
    assert.equal(localEnv(h, 'command///req//modified').filter((e) => e.path === '/features/meter/desiredProperties').length + localEnv(h, 'command///req//merged').length, 1, 'one local event');
  });
});
