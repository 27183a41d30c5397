// Command responses (§2.1.5, README "MQTT topics"): a local response goes to the cloud only with a
// correlation-id seen on a command within its Ditto timeout + 5 s, and only once; anything else is
// dropped and counted. The clock is the injected fake: expiry is tested by moving it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBridge, type Harness } from './testing/bridge-harness';

const envelope = (correlationId: string | undefined, timeout?: string) =>
  JSON.stringify({
    topic: 'demo/device/things/live/messages/switch',
    headers: { ...(correlationId === undefined ? {} : { 'correlation-id': correlationId }), ...(timeout === undefined ? {} : { timeout }) },
    path: '/inbox/messages/switch',
    value: true,
  });

async function online(t: { after(fn: () => unknown): void }): Promise<Harness> {
  const h = await startBridge(t);
  h.attach().connect();
  await h.time.settle();
  return h;
}

/** The cloud sends a command; returns the local topics it went out on. */
async function command(h: Harness, correlationId: string, timeout?: string): Promise<string[]> {
  const before = h.local.bus.published.length;
  h.cloud.deliver('command//demo:device/req/req-1/switch', envelope(correlationId, timeout));
  await h.time.settle();
  return h.local.bus.published.slice(before).map((p) => p.topic);
}

const respond = (h: Harness, correlationId: string | undefined, topic = 'command//demo:device/res/req-1/200') => h.local.deliver(topic, envelope(correlationId));

describe('bridge: command responses gated by the correlation cache', () => {
  it('drops a response whose correlation-id never came down: counted, not queued, not sent, still acknowledged', async (t) => {
    const h = await online(t);
    assert.equal(await respond(h, 'never-seen'), 'acked', 'dropping is not a failure: no redelivery');
    assert.equal(await respond(h, undefined), 'acked');
    await h.time.settle();
    assert.deepEqual(h.sent('command//'), []);
    assert.deepEqual(h.trace.filter((x) => x.startsWith('append')), []);
    assert.equal(h.bridge.counters().unknownResponses, 2);
  });

  it('forwards a response to a cached command once (long and short form both count)', async (t) => {
    const h = await online(t);
    assert.deepEqual(await command(h, 'c-1'), ['command//demo:device/req/req-1/switch', 'c//demo:device/q/req-1/switch'], 'both local forms');
    assert.equal(h.bridge.counters().commands, 1);
    await respond(h, 'c-1');
    await respond(h, 'c-1'); // a second answer
    await h.time.settle();
    assert.deepEqual(h.sent('command//demo:device/res/'), [envelope('c-1')]);
    assert.equal(h.bridge.counters().unknownResponses, 1);

    await command(h, 'c-2');
    await respond(h, 'c-2', 'c//demo:device/s/req-1/200');
    await h.time.settle();
    assert.equal(h.sent('command//demo:device/res/').length, 2, 'the short form goes up as well');
  });

  const expiry: Array<[string, string | undefined, number, 'forwarded' | 'dropped']> = [
    ['timeout 10s, answered at 15 s (timeout + 5 s)', '10s', 15_000, 'forwarded'],
    ['timeout 10s, answered at 15.001 s', '10s', 15_001, 'dropped'],
    ['timeout 500ms, answered at 5.5 s', '500ms', 5_500, 'forwarded'],
    ['no timeout header (60 s), answered at 65 s', undefined, 65_000, 'forwarded'],
    ['no timeout header (60 s), answered at 65.001 s', undefined, 65_001, 'dropped'],
  ];
  for (const [name, timeout, after, outcome] of expiry) {
    it(`${outcome}: ${name}`, async (t) => {
      const h = await online(t);
      await command(h, 'c-1', timeout);
      await h.time.advance(after);
      await respond(h, 'c-1');
      await h.time.settle();
      assert.equal(h.sent('command//demo:device/res/').length, outcome === 'forwarded' ? 1 : 0);
      assert.equal(h.bridge.counters().unknownResponses, outcome === 'forwarded' ? 0 : 1);
    });
  }

  it('caches nothing for a command with timeout 0 (no answer expected)', async (t) => {
    const h = await online(t);
    await command(h, 'c-1', '0');
    await respond(h, 'c-1');
    await h.time.settle();
    assert.deepEqual(h.sent('command//demo:device/res/'), []);
  });

  it('an accepted response is persisted like an event and survives a cloud outage', async (t) => {
    const h = await online(t);
    await command(h, 'c-1');
    h.cloud.drop();
    assert.equal(await respond(h, 'c-1'), 'acked');
    assert.deepEqual(h.queued(), ['command//demo:device/res/req-1/200']);
    h.cloud.connect();
    await h.time.settle();
    assert.equal(h.sent('command//demo:device/res/').length, 1);
    assert.deepEqual(h.queued(), []);
  });
});
