// The cloud client's reconnect policy with fake timers (§2.1.3: 1 min initial, 4 min max, ×2, ±25 %,
// reset after a successful connect, give up after 5 authentication refusals) and the credentials
// renewal (Azure SAS: a fresh CONNECT at renewAtMs, without backoff and without a status cause).
// FakeMqtt is a node:events emitter like MQTT.js's client: whatever a cloud-client listener throws
// would come out of its emit(), i.e. into MQTT.js.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { IClientOptions, MqttClient } from 'mqtt';
import { captureLogger } from '@ledge/shared/util/testing';
import { createCloudClient } from './cloud-client';
import type { CloudClientInit } from './options';

class FakeMqtt extends EventEmitter {
  ended: boolean | undefined;
  readonly stream = { setNoDelay: () => undefined };
  constructor(readonly options: IClientOptions) {
    super();
  }
  /** The broker refused (CONNACK code) or the network failed (errno string). */
  fail(code: number | string): void {
    this.emit('error', Object.assign(new Error(`failed ${code}`), { code }));
    this.emit('close');
  }
  accept(): void {
    this.emit('connect', { sessionPresent: false });
  }
  end(force?: boolean, _opts?: object, cb?: () => void): this {
    if (this.ended === undefined) {
      this.ended = force === true;
      queueMicrotask(() => this.emit('close'));
    }
    cb?.();
    return this;
  }
  subscribe(_req: unknown, ...rest: unknown[]): this {
    (rest.at(-1) as (err: Error | null, granted: unknown[]) => void)(null, []);
    return this;
  }
}

function setup(init: Partial<CloudClientInit> = {}) {
  const clients: FakeMqtt[] = [];
  const connect = (_url: string, options: IClientOptions) => {
    const c = new FakeMqtt(options);
    clients.push(c);
    return c as unknown as MqttClient;
  };
  const client = createCloudClient({ address: 'mqtts://hub.example.com:8883', clientId: 'c', connect, ...init });
  const delays: number[] = [];
  const causes: string[] = [];
  client.on('reconnecting', (i) => void delays.push(i.delayMs));
  client.on('disconnected', (i) => void causes.push(i.renewal ? 'renewal' : i.cause));
  return { client, clients, delays, causes, last: () => clients.at(-1)! };
}

describe('cloud client reconnect (fake timers)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it("Kanto's defaults without jitter: 60 s, 120 s, 240 s, then capped at 240 s; no attempt before the delay", async () => {
    const s = setup({ backoff: { random: () => 0.5 } });
    s.client.start();
    for (const expected of [60_000, 120_000, 240_000, 240_000, 240_000]) {
      s.last().fail('ECONNREFUSED');
      assert.equal(s.delays.at(-1), expected);
      const n = s.clients.length;
      mock.timers.tick(expected - 1);
      assert.equal(s.clients.length, n, 'not yet');
      mock.timers.tick(1);
      assert.equal(s.clients.length, n + 1, 'attempt after the delay');
    }
    assert.deepEqual(s.causes, Array(5).fill('CONNECTION_ERROR'));
    await s.client.close();
  });

  it('±25 % jitter: the delay stays within [0.75, 1.25] of the exponential base', async () => {
    for (const [random, factor] of [[0, 0.75], [1, 1.25], [0.25, 0.875]] as const) {
      const s = setup({ backoff: { random: () => random } });
      s.client.start();
      for (let i = 0; i < 4; i++) {
        s.last().fail('ETIMEDOUT');
        mock.timers.tick(s.delays.at(-1)!);
      }
      assert.deepEqual(s.delays, [60_000, 120_000, 240_000, 240_000].map((b) => Math.round(b * factor)), `random ${random}`);
      await s.client.close();
    }
  });

  it('a successful connect resets the backoff; a lost connection waits the initial delay again', async () => {
    const s = setup({ backoff: { random: () => 0.5 } });
    s.client.start();
    s.last().fail('ECONNREFUSED');
    mock.timers.tick(60_000);
    s.last().fail('ECONNREFUSED');
    mock.timers.tick(120_000);
    s.last().accept();
    assert.equal(s.client.connected, true);
    s.last().emit('close');
    assert.deepEqual(s.delays, [60_000, 120_000, 60_000]);
    await s.client.close();
  });

  it('gives up after authErrorRetries refusals in a row (CONNECTION_NOT_AUTHENTICATED); identifier rejected stops at once', async () => {
    const s = setup({ backoff: { random: () => 0.5 } });
    let stopped = 0;
    s.client.on('stopped', () => void stopped++);
    s.client.start();
    for (let i = 0; i < 5; i++) {
      s.last().fail(5);
      if (i < 4) mock.timers.tick(s.delays.at(-1)!);
    }
    assert.equal(stopped, 1);
    assert.equal(s.client.stopped, true);
    assert.equal(s.clients.length, 5);
    mock.timers.tick(10 * 240_000);
    assert.equal(s.clients.length, 5, 'no attempt after giving up');
    assert.deepEqual(s.causes, Array(5).fill('CONNECTION_NOT_AUTHENTICATED'));

    const r = setup();
    r.client.start();
    r.last().fail(2);
    assert.equal(r.client.stopped, true);
    assert.equal(r.delays.length, 0);
  });

  it('credentials are asked for on every attempt; at renewAtMs it reconnects at once with fresh ones', async () => {
    const asked: number[] = [];
    const s = setup({
      backoff: { random: () => 0.5 },
      credentials: (nowMs) => {
        asked.push(nowMs);
        return { username: 'u', password: `token-${nowMs}`, renewAtMs: nowMs + 54_000 };
      },
    });
    s.client.start();
    assert.equal(s.last().options.password, 'token-1000000');
    s.last().fail('ECONNREFUSED');
    mock.timers.tick(60_000);
    assert.equal(s.last().options.password, 'token-1060000');
    s.last().accept();
    mock.timers.tick(53_999);
    assert.equal(s.clients.length, 2);
    mock.timers.tick(1);
    assert.equal(s.clients[1]!.ended, false, 'a clean DISCONNECT');
    await new Promise<void>((r) => queueMicrotask(r));
    assert.equal(s.clients.length, 3, 'reconnected at once, no backoff');
    assert.equal(s.last().options.password, 'token-1114000');
    assert.equal(s.last().options.username, 'u');
    assert.deepEqual(s.causes, ['CONNECTION_ERROR', 'renewal']);
    assert.deepEqual(asked, [1_000_000, 1_060_000, 1_114_000]);
    await s.client.close();
  });
});

describe('cloud client listeners (issue 22)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('a throwing or rejecting listener never reaches MQTT.js: it is logged, the others still run, the client reconnects', async () => {
    const log = captureLogger('test', 'debug');
    const s = setup({ logger: log.logger, backoff: { random: () => 0.5 } });
    for (const event of ['connected', 'disconnected', 'reconnecting', 'message'] as const) {
      s.client.on(event, () => {
        throw new Error(`bad ${event} listener`);
      });
    }
    s.client.on('message', async () => {
      throw new Error('bad async message listener');
    });
    const topics: string[] = [];
    s.client.on('message', (m) => void topics.push(m.topic));
    s.client.start();

    assert.doesNotThrow(() => s.last().accept(), 'CONNACK');
    assert.equal(s.client.connected, true);
    assert.doesNotThrow(() => s.last().emit('message', 'command///req/1/x', Buffer.from('{}'), { qos: 1 }));
    assert.deepEqual(topics, ['command///req/1/x'], 'a later listener still gets the message');
    // Before issue 22 the disconnected listener's throw skipped the reconnect: the client stayed offline.
    assert.doesNotThrow(() => s.last().emit('close'), 'connection lost');
    assert.deepEqual(s.causes, ['CONNECTION_ERROR']);
    assert.deepEqual(s.delays, [60_000], 'the reconnect is still scheduled');
    mock.timers.tick(60_000);
    assert.equal(s.clients.length, 2);
    assert.doesNotThrow(() => s.last().accept());
    assert.equal(s.client.connected, true);
    assert.equal(s.client.stats().connects, 2);

    await new Promise<void>((r) => setImmediate(r));
    const failed = log.lines.filter((l) => l['msg'] === 'cloud event listener failed');
    assert.deepEqual(
      failed.map((l) => [l['event'], (l['err'] as { message: string }).message]),
      [
        ['connected', 'bad connected listener'],
        ['message', 'bad message listener'],
        ['disconnected', 'bad disconnected listener'],
        ['reconnecting', 'bad reconnecting listener'],
        ['connected', 'bad connected listener'],
        ['message', 'bad async message listener'],
      ],
    );
    assert.ok(failed.every((l) => l['level'] === 'error' && l['component'] === 'cloud-mqtt'), 'error level, the component field');
    await s.client.close();
  });
});
