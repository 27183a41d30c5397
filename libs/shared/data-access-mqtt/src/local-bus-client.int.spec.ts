// Against a real Mosquitto on a free port: connect, pub/sub, TCP_NODELAY, broker killed and restarted,
// and the LocalBusClient contract suite.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { captureLogger, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import { createLocalBusClient } from './local-bus-client';
import { adaptMqttClient } from './mqtt-adapter';
import type { LocalBusClientOptions } from './options';
import { localBusClientContract } from './testing/contract';
import { findMosquitto, startMosquitto, type Mosquitto } from './testing/mosquitto';
import type { BusPacket, ReconnectingInfo } from './types';

const skip = skipUnlessTools('mosquitto (apt-get install -y mosquitto)', findMosquitto() === undefined);

describe('local bus client against Mosquitto', { skip }, () => {
  const cleanups: (() => unknown)[] = [];
  let broker: Mosquitto;
  before(async () => {
    broker = await startMosquitto({ after: (fn) => void cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const make = (t: TestContext, options: LocalBusClientOptions = {}) => {
    const client = createLocalBusClient({ url: broker.url, ...options });
    t.after(() => client.close());
    return client;
  };

  it('connects, publishes and receives, with TCP_NODELAY set on the socket', async (t) => {
    const sockets: MqttClient[] = [];
    const c = make(t, {
      connect: (url, o) => {
        const raw = mqttConnect(url, o);
        sockets.push(raw);
        return adaptMqttClient(raw);
      },
    });
    const got: BusPacket[] = [];
    c.onMessage('it/pubsub/#', (_t, _p, packet) => void got.push(packet));
    await c.subscribe('it/pubsub/#', { qos: 1 });
    await c.start();
    await c.waitForConnection();
    await c.publish('it/pubsub/a', 'hello', { qos: 1 });
    await waitFor(() => got.length === 1, 5_000, 'own message');
    assert.equal(got[0]!.payload.toString(), 'hello');
    // Node keeps the flag under an internal symbol and applies it to the handle (libuv uv_tcp_nodelay).
    const stream = sockets[0]!.stream as unknown as Record<symbol, unknown>;
    const sym = Object.getOwnPropertySymbols(stream).find((s) => s.description === 'kSetNoDelay');
    assert.ok(sym, 'net.Socket has a kSetNoDelay slot');
    assert.equal(stream[sym], true);
  });

  it('reconnects with growing delays after the broker is killed, resubscribes, and messages flow again', async (t) => {
    const log = captureLogger('it', 'debug');
    const backoff = { initialMs: 100, maxMs: 800, random: () => 0.5 };
    const sub = make(t, { backoff, logger: log.logger, keepaliveSeconds: 2 });
    const pub = make(t, { backoff });
    const reconnecting: ReconnectingInfo[] = [];
    const states: string[] = [];
    sub.on('reconnecting', (i) => void reconnecting.push(i));
    sub.on('connected', (i) => void states.push(`connected session=${i.sessionPresent}`));
    sub.on('disconnected', () => void states.push('disconnected'));
    const got: string[] = [];
    sub.onMessage('it/restart/+', (_t, payload) => void got.push(payload.toString()));
    await sub.start();
    await pub.start();
    await sub.subscribe('it/restart/+', { qos: 1 });
    await Promise.all([sub.waitForConnection(), pub.waitForConnection()]);
    await pub.publish('it/restart/x', 'before', { qos: 1 });
    await waitFor(() => got.includes('before'), 5_000, 'message before the restart');

    await broker.stop('SIGKILL');
    await waitFor(() => reconnecting.length >= 5, 10_000, 'five reconnect attempts');
    assert.deepEqual(
      reconnecting.slice(0, 5).map((r) => [r.attempt, r.delayMs]),
      [
        [1, 100],
        [2, 200],
        [3, 400],
        [4, 800],
        [5, 800],
      ],
    );
    await pub.publish('it/restart/x', 'lost', { qos: 0 });
    assert.equal(pub.stats().droppedQos0, 1, 'QoS 0 while offline is dropped and counted');
    const queued = pub.publish('it/restart/queued', 'kept', { qos: 1 });

    await broker.start();
    await Promise.all([sub.waitForConnection(), pub.waitForConnection()]);
    await queued; // PUBACK after the reconnect: MQTT.js resent it from its store
    await waitFor(() => states.filter((s) => s.startsWith('connected')).length === 2, 5_000, 'second connect');
    await waitFor(() => log.lines.some((l) => l['msg'] === 'connected' && l['resubscribed'] === 1), 5_000, 'resubscribe logged');
    // The broker has no memory of the subscription (persistence false): only the resubscribe can deliver this.
    await waitFor(
      async () => {
        await pub.publish('it/restart/x', 'after', { qos: 1 });
        return got.includes('after');
      },
      10_000,
      'message after the restart',
    );
    assert.deepEqual(states.slice(0, 3), ['connected session=false', 'disconnected', 'connected session=false']);
    assert.equal(sub.stats().connects, 2);
  });

  it('keeps retrying with backoff when the broker refuses the connection, reporting the CONNACK code', async (t) => {
    const closed = await startMosquitto(t, { extraConfig: 'allow_anonymous false\n' });
    const c = createLocalBusClient({ url: closed.url, backoff: { initialMs: 50, maxMs: 200, random: () => 0.5 } });
    t.after(() => c.close());
    const errors: { code?: string; details?: unknown }[] = [];
    const delays: number[] = [];
    c.on('error', (e) => void errors.push(e as never));
    c.on('reconnecting', (i) => void delays.push(i.delayMs));
    await c.start();
    await waitFor(() => delays.length >= 4, 5_000, 'retries after refusals');
    assert.deepEqual(delays.slice(0, 4), [50, 100, 200, 200]);
    assert.equal(errors[0]?.code, 'LEDGE_MQTT_CONNECTION_REFUSED');
    assert.deepEqual(errors[0]?.details, { reasonCode: 5 });
    assert.equal(c.connected, false);
  });

  localBusClientContract('MQTT.js client against Mosquitto', (t) => make(t));
});
