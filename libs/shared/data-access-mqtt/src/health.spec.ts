// The Health feature on the fake bus: the twin follows every app's health, and closing never waits for a
// twin update the broker will not take any more (the broker stops first when the packages are removed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogger, waitFor } from '@ledge/shared/util/testing';
import { createHealthFeature, HEALTH_FEATURE_DEFINITION } from './health';
import { createFakeLocalBus } from './testing/fake-local-bus';

const up = (pid: number) => JSON.stringify({ status: 'up', pid, version: '0.1.0', since: 1 });

describe('Health feature', () => {
  it('writes the whole feature once the thing is known, then each change; ignores repeats and garbage', async (t) => {
    const bus = createFakeLocalBus();
    const log = captureLogger();
    const client = bus.createClient({ clientId: 'connector-health', logger: log.logger });
    const feature = createHealthFeature({ bus: client, logger: log.logger });
    t.after(async () => {
      await feature.close();
      await client.close();
    });
    await client.start();
    bus.inject('edge/health/broker', up(10), { qos: 1, retain: true });
    await feature.start();
    // the connector answers the identity request
    await waitFor(() => bus.published.some((p) => p.topic === 'edge/thing/request'), 2000);
    bus.inject('edge/thing/response', JSON.stringify({ deviceId: 'demo:gw', tenantId: 'demo' }));
    const twin = () => bus.published.filter((p) => p.clientId === 'connector-health' && (p.topic === 'e' || p.topic === 'event')).map((p) => JSON.parse(p.payload.toString()) as { path: string; value: unknown });
    await waitFor(() => twin().some((e) => e.path === '/features/Health'), 2000, 'the whole feature');
    assert.deepEqual(twin()[0]!.value, { definition: [HEALTH_FEATURE_DEFINITION], properties: { broker: { status: 'up', pid: 10, version: '0.1.0', since: 1 } } });
    bus.inject('edge/health/software-update', up(11), { qos: 1, retain: true });
    bus.inject('edge/health/software-update', up(11), { qos: 1, retain: true }); // a republish: no twin update
    bus.inject('edge/health/file-upload', 'garbage', { qos: 1 });
    bus.inject('edge/health/software-update', JSON.stringify({ status: 'down', pid: 11, version: '0.1.0', since: 1, reason: 'lost' }), { qos: 1, retain: true });
    await waitFor(() => twin().filter((e) => e.path === '/features/Health/properties/software-update').length === 2, 2000, 'two changes');
    await bus.flush();
    assert.deepEqual(twin().map((e) => e.path), ['/features/Health', '/features/Health/properties/software-update', '/features/Health/properties/software-update']);
    assert.equal((twin().at(-1)!.value as { status: string }).status, 'down');
    assert.ok(log.lines.some((l) => l['msg'] === 'malformed health ignored'));
  });

  it('closes at once with a twin update stuck on a bus that went away', async (t) => {
    const bus = createFakeLocalBus();
    const log = captureLogger();
    const client = bus.createClient({ clientId: 'connector-health', logger: log.logger });
    // the broker stopped right after its last word: a QoS 1 publish waits for a reconnect that never comes
    let stuck = 0;
    const stuckPublish: typeof client.publish = (topic, payload, options) => (topic === 'e' || topic === 'event' ? (stuck++, new Promise<void>(() => undefined)) : client.publish(topic, payload, options));
    const gone = new Proxy(client, {
      get(target, prop) {
        if (prop === 'publish') return stuckPublish;
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const feature = createHealthFeature({ bus: gone, logger: log.logger });
    t.after(() => client.close());
    await client.start();
    bus.inject('edge/health/broker', JSON.stringify({ status: 'down', pid: 10, version: '0.1.0', since: 2, reason: 'stopped' }), { qos: 1, retain: true });
    await feature.start();
    await waitFor(() => bus.published.some((p) => p.topic === 'edge/thing/request'), 2000);
    bus.inject('edge/thing/response', JSON.stringify({ deviceId: 'demo:gw', tenantId: 'demo' }));
    await waitFor(() => stuck > 0, 2000, 'a twin update on its way');
    const t0 = Date.now();
    await feature.close();
    assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
  });
});
