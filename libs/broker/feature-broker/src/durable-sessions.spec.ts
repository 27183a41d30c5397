import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import memory from 'aedes-persistence';
import { declareSessions, durableSessionsProblem, type SessionStore } from './durable-sessions';

describe('durable sessions', () => {
  it('validates the config value, naming the bad entry', () => {
    const ok = [{ clientId: 'ledge-connector', subscriptions: [{ topic: 'e/#', qos: 1 }, { topic: 'command//+/res/#', qos: 1 }] }];
    assert.equal(durableSessionsProblem(ok), undefined);
    assert.equal(durableSessionsProblem([]), undefined);
    const table: [unknown, RegExp][] = [
      [{}, /must be a list/],
      [[null], /entry 0: must be an object/],
      [[{ clientId: '', subscriptions: [{ topic: 'e', qos: 1 }] }], /entry 0: clientId/],
      [[{ clientId: 'a', subscriptions: [] }], /entry 0: subscriptions must be a non-empty list/],
      [[{ clientId: 'a', subscriptions: [{ topic: 'e/#/x', qos: 1 }] }], /entry 0, subscription 0: topic "e\/#\/x"/],
      [[{ clientId: 'a', subscriptions: [{ topic: 'e', qos: 3 }] }], /qos must be 0, 1 or 2/],
      [[{ clientId: 'a', subscriptions: [{ topic: 'e', qos: 1 }] }, { clientId: 'a', subscriptions: [{ topic: 't', qos: 1 }] }], /entry 1: clientId "a" is declared twice/],
      [[{ clientId: 'a', subscriptions: [{ topic: 'e', qos: 1 }], clean: false }], /unknown key\(s\) clean/],
    ];
    for (const [value, problem] of table) assert.match(String(durableSessionsProblem(value)), problem, JSON.stringify(value));
  });

  it('adds the subscriptions a session lacks and keeps the ones it has', async () => {
    const store = (memory as unknown as () => SessionStore & { setup(b: unknown): Promise<void> })();
    await store.setup({ id: 'broker', subscribe: () => undefined, unsubscribe: () => undefined });
    await store.addSubscriptions({ id: 'ledge-connector' }, [{ topic: 'e/#', qos: 1 }, { topic: 'mine/#', qos: 0 }]);
    const session = { clientId: 'ledge-connector', subscriptions: [{ topic: 'e/#', qos: 1 as const }, { topic: 't/#', qos: 1 as const }] };
    assert.equal(await declareSessions(store, [session]), 1);
    const topics = ((await store.subscriptionsByClient({ id: 'ledge-connector' })) ?? []).map((s) => s.topic).sort();
    assert.deepEqual(topics, ['e/#', 'mine/#', 't/#']);
    assert.equal(await declareSessions(store, [session]), 0, 'idempotent');
  });
});
