// The shipped bundle as local apps use it: MQTT.js and Mosquitto's own clients (mosquitto_pub/_sub).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { expectNothingFor, hasCommand, waitFor, type TestContextLike, skipUnlessTools } from '@ledge/shared/util/testing';
import { raw, rawConnect, run, runInBackground, startBrokerProcess, type BrokerProcess } from './testing';

const MOSQUITTO = hasCommand('mosquitto_pub') && hasCommand('mosquitto_sub');
const skipNoMosquitto = skipUnlessTools('mosquitto-clients (apt-get install mosquitto-clients)', !MOSQUITTO);

interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

async function client(t: TestContextLike, b: BrokerProcess, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  t.after(() => c.endAsync(true));
  return c;
}

function collect(c: MqttClient): Received[] {
  const got: Received[] = [];
  c.on('message', (topic, payload, p) => got.push({ topic, payload: payload.toString(), qos: p.qos, retain: p.retain, dup: p.dup }));
  return got;
}

describe('broker (bundle) with MQTT.js and Mosquitto clients', () => {
  it('serves local clients', async (t) => {
    const b = await startBrokerProcess(t, ['--logLevel', 'debug']); // debug: 'subscribed' lines to wait on

    await t.test('retained messages: set, delivered with retain=1 to new subscribers, cleared', async (st) => {
      const pub = await client(st, b, { clientId: 'retain-pub' });
      await pub.publishAsync('edge/connection/remote/status', '{"connected":true}', { qos: 1, retain: true });
      const sub = await client(st, b, { clientId: 'retain-sub' });
      const got = collect(sub);
      await sub.subscribeAsync('edge/connection/+/status', { qos: 1 });
      await waitFor(() => got.length === 1, 5000, 'retained message');
      assert.deepEqual([got[0]!.payload, got[0]!.retain, got[0]!.qos], ['{"connected":true}', true, 1]);
      if (MOSQUITTO) {
        const r = await run('mosquitto_sub', ['-p', String(b.port), '-t', 'edge/connection/remote/status', '-C', '1', '-W', '5', '-v']);
        assert.equal(r.stdout.trim(), 'edge/connection/remote/status {"connected":true}');
      }
      await pub.publishAsync('edge/connection/remote/status', '', { qos: 1, retain: true });
      const late = await client(st, b, { clientId: 'retain-late' });
      const none = collect(late);
      await late.subscribeAsync('edge/connection/remote/status', { qos: 1 });
      // A window, not a sentinel: retained messages follow the SUBACK on their own path, in no order with live ones.
      await expectNothingFor(300, () => none.length > 0 && none, 'a retained message on a cleared topic');
      assert.deepEqual(none, [], 'an empty retained payload clears the topic');
    });

    await t.test('wills: published when the connection breaks, not after DISCONNECT', async (st) => {
      const watcher = await client(st, b, { clientId: 'will-watcher' });
      const got = collect(watcher);
      await watcher.subscribeAsync('will/#', { qos: 1 });
      const will = { topic: 'will/lost', payload: Buffer.from('gone'), qos: 1 as const, retain: false };
      const polite = await client(st, b, { clientId: 'will-polite', will: { ...will, topic: 'will/polite' } });
      await polite.endAsync();
      // The rude client's will is the sentinel: it connected only after the polite one had disconnected, so
      // a will of the polite one would have been published, and delivered, ahead of it.
      const rude = await client(st, b, { clientId: 'will-rude', will });
      rude.stream.destroy();
      await waitFor(() => got.some((m) => m.topic === 'will/lost'), 5000, 'will');
      assert.deepEqual(got.map((m) => [m.topic, m.payload]), [['will/lost', 'gone']]);
    });

    await t.test('QoS 0/1/2 end to end, MQTT.js and Mosquitto clients in both directions', async (st) => {
      const sub = await client(st, b, { clientId: 'qos-sub' });
      const got = collect(sub);
      await sub.subscribeAsync('qos/#', { qos: 2 });
      const pub = await client(st, b, { clientId: 'qos-pub' });
      for (const qos of [0, 1, 2] as const) await pub.publishAsync(`qos/${qos}`, `js-${qos}`, { qos });
      if (MOSQUITTO) {
        for (const qos of [0, 1, 2]) {
          const r = await run('mosquitto_pub', ['-p', String(b.port), '-q', String(qos), '-t', `qos/m${qos}`, '-m', `mosq-${qos}`]);
          assert.equal(r.code, 0, r.stderr);
        }
      }
      const want = MOSQUITTO ? 6 : 3;
      await waitFor(() => got.length === want, 5000, `${want} messages`);
      for (const m of got) assert.equal(m.qos, Number(m.topic.slice(-1)), m.topic);
      if (MOSQUITTO) {
        const msub = runInBackground(st, 'mosquitto_sub', ['-p', String(b.port), '-q', '2', '-t', 'toMosq/#', '-v', '-i', 'mosq-sub']);
        await b.proc.waitForLog((l) => l['msg'] === 'subscribed' && l['clientId'] === 'mosq-sub');
        for (const qos of [0, 1, 2] as const) await pub.publishAsync(`toMosq/${qos}`, `v${qos}`, { qos });
        await waitFor(() => msub.lines().length === 3, 5000, 'mosquitto_sub output');
        assert.deepEqual(msub.lines(), ['toMosq/0 v0', 'toMosq/1 v1', 'toMosq/2 v2']);
      }
    });

    await t.test('unacknowledged QoS 1 and 2 messages are redelivered on reconnect (DUP set)', async (st) => {
      const first = await rawConnect(st, b.port);
      first.send(raw.connect({ clientId: 'redeliver', clean: false }));
      await first.waitForBytes(4);
      first.send(raw.subscribe(1, [['redeliver/#', 2]]));
      await first.waitForBytes(4 + 5);
      const pub = await client(st, b, { clientId: 'redeliver-pub' });
      await pub.publishAsync('redeliver/1', 'one', { qos: 1 });
      await pub.publishAsync('redeliver/2', 'two', { qos: 2 });
      await waitFor(() => first.received().includes(Buffer.from('two')), 5000, 'both publishes on the raw socket');
      first.socket.destroy(); // no PUBACK, no PUBREC
      await first.closed;
      const again = mqtt.connect(b.url, { clientId: 'redeliver', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
      st.after(() => again.endAsync(true));
      const got = collect(again);
      await waitFor(() => got.length === 2, 5000, 'redelivered messages');
      // two topics: MQTT orders messages per topic only
      assert.deepEqual(got.map((m) => [m.topic, m.payload, m.qos, m.dup]).sort(), [
        ['redeliver/1', 'one', 1, true],
        ['redeliver/2', 'two', 2, true],
      ]);
    });

    await t.test('persistent sessions keep subscriptions and queue messages while offline', async (st) => {
      const sub = await client(st, b, { clientId: 'persist', clean: false });
      await sub.subscribeAsync('persist/#', { qos: 1 });
      await sub.endAsync();
      const pub = await client(st, b, { clientId: 'persist-pub' });
      for (let i = 0; i < 3; i++) await pub.publishAsync('persist/x', `m${i}`, { qos: 1 });
      await pub.publishAsync('persist/x', 'qos0-dropped', { qos: 0 });
      const back = mqtt.connect(b.url, { clientId: 'persist', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
      st.after(() => back.endAsync(true));
      const got = collect(back); // queued messages follow the CONNACK at once
      const connack = await new Promise<{ sessionPresent: boolean }>((resolve) => back.once('connect', resolve));
      assert.equal(connack.sessionPresent, true);
      await waitFor(() => got.length === 3, 5000, 'queued messages');
      // The sentinel: same publisher, topic and QoS as the dropped QoS 0 message, so an ordered topic
      // ([MQTT-4.6.0-6]) delivers it after that one, had the session kept it.
      await pub.publishAsync('persist/x', 'sentinel', { qos: 0 });
      await waitFor(() => got.some((m) => m.payload === 'sentinel'), 5000, 'the sentinel');
      assert.deepEqual(got.map((m) => m.payload), ['m0', 'm1', 'm2', 'sentinel']);
      await back.endAsync();
      const clean = await client(st, b, { clientId: 'persist', clean: true });
      assert.equal(clean.connected, true);
    });

    await t.test('persistent sessions: + matches an empty level online and offline (Kanto gateway topics command///…)', async (st) => {
      // [MQTT-4.7.1-3]: the connector's command//+/res/# must receive the gateway's command///res/… at QoS 1
      const sub = await client(st, b, { clientId: 'empty-level', clean: false });
      const got = collect(sub);
      await sub.subscribeAsync('command//+/res/#', { qos: 1 });
      const pub = await client(st, b, { clientId: 'empty-level-pub' });
      await pub.publishAsync('command///res/4711/204', 'online', { qos: 1 });
      await waitFor(() => got.length === 1, 5000, 'online delivery');
      assert.equal(sub.connected, true, 'the subscriber stays connected');
      await sub.endAsync();
      await pub.publishAsync('command///res/4712/200', 'offline', { qos: 1 });
      const back = mqtt.connect(b.url, { clientId: 'empty-level', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
      st.after(() => back.endAsync(true));
      const later = collect(back);
      await waitFor(() => later.length === 1, 5000, 'queued delivery');
      assert.deepEqual([got[0]!.payload, later[0]!.topic, later[0]!.payload], ['online', 'command///res/4712/200', 'offline']);
    });

    await t.test('overlapping subscriptions: one delivery per client, at the highest granted QoS', async (st) => {
      const sub = await client(st, b, { clientId: 'overlap' });
      const got = collect(sub);
      await sub.subscribeAsync({ 'ov/#': { qos: 0 }, 'ov/+': { qos: 2 }, 'ov/a': { qos: 1 } });
      const pub = await client(st, b, { clientId: 'overlap-pub' });
      await pub.publishAsync('ov/a', 'x', { qos: 2 });
      // The sentinel on the same topic at the same QoS comes after every copy of x (an ordered topic, [MQTT-4.6.0-6]).
      await pub.publishAsync('ov/a', 'y', { qos: 2 });
      await waitFor(() => got.some((m) => m.payload === 'y'), 5000, 'delivery');
      assert.deepEqual(got.map((m) => [m.payload, m.qos]), [['x', 2], ['y', 2]]);
    });

    await t.test("'#' and '+' do not match $ topics; $SYS/# does", async (st) => {
      const all = await client(st, b, { clientId: 'hash-all' });
      const gotAll = collect(all);
      await all.subscribeAsync({ '#': { qos: 0 }, '+/broker/log/N': { qos: 0 } });
      const sys = await client(st, b, { clientId: 'sys-all' });
      const gotSys = collect(sys);
      await sys.subscribeAsync('$SYS/broker/log/#');
      const other = await client(st, b, { clientId: 'dollar-trigger' });
      await other.publishAsync('$app/x', 'dollar', { qos: 1 });
      await other.endAsync();
      await waitFor(() => gotSys.some((m) => m.payload.includes('dollar-trigger')), 5000, '$SYS lines');
      // A window: what '#' must not see goes to another client than the $SYS lines that mark it, in no order with them.
      await expectNothingFor(200, () => gotAll.some((m) => m.topic.startsWith('$')) && gotAll, "a $ topic matched by '#' or '+'");
      assert.deepEqual(gotAll.filter((m) => m.topic.startsWith('$')), []);
    });

    await t.test('$SYS/broker/log/M/subscribe lines in Mosquitto format when clients subscribe', { skip: skipNoMosquitto }, async (st) => {
      const watcher = runInBackground(st, 'mosquitto_sub', ['-p', String(b.port), '-t', '$SYS/broker/log/#', '-v', '-i', 'log-watcher']);
      await b.proc.waitForLog((l) => l['msg'] === 'subscribed' && l['clientId'] === 'log-watcher');
      const r = await run('mosquitto_sub', ['-p', String(b.port), '-i', 'cm-client', '-q', '1', '-t', 'command//demo:device:edge:containers/req/#', '-t', 'c//demo:device/q/#', '-W', '1']);
      assert.notEqual(r.code, null);
      const dev = await client(st, b, { clientId: 'js-client' });
      await dev.subscribeAsync('command///req/#', { qos: 0 });
      await dev.unsubscribeAsync('command///req/#');
      await dev.endAsync();
      await waitFor(() => watcher.lines().some((l) => l.endsWith('Client js-client disconnected.')), 5000, 'log lines');
      const lines = watcher.lines().map((l) => l.replace(/ \d{10}: /, ' T: '));
      const want = [
        '$SYS/broker/log/M/subscribe T: cm-client 1 command//demo:device:edge:containers/req/#',
        '$SYS/broker/log/M/subscribe T: cm-client 1 c//demo:device/q/#',
        '$SYS/broker/log/N T: Client cm-client disconnected.',
        '$SYS/broker/log/M/subscribe T: js-client 0 command///req/#',
        '$SYS/broker/log/M/unsubscribe T: js-client command///req/#',
        '$SYS/broker/log/N T: Client js-client disconnected.',
      ];
      for (const w of want) assert.ok(lines.includes(w), `missing ${w} in\n${lines.join('\n')}`);
      assert.ok(lines.some((l) => /^\$SYS\/broker\/log\/N T: New client connected from 127\.0\.0\.1:\d+ as cm-client \(p2, c1, k60\)\.$/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^\$SYS\/broker\/log\/N T: New connection from 127\.0\.0\.1:\d+ on port \d+\.$/.test(l)));
      // the order the connector relies on: subscribe, then unsubscribe, then the disconnect notice
      const i = (s: string) => lines.indexOf(s);
      assert.ok(i(want[3]!) < i(want[4]!) && i(want[4]!) < i(want[5]!));
    });

    await t.test('its own health: retained up with its load, again on edge/health/request', async (st) => {
      const watcher = await client(st, b, { clientId: 'health-watcher' });
      const got = collect(watcher);
      await watcher.subscribeAsync('edge/health/broker', { qos: 1 });
      await waitFor(() => got.length >= 1, 5000, 'the retained health');
      const first = JSON.parse(got[0]!.payload) as { status: string; pid: number; stats?: { clients?: number; sessions?: number; queued?: number } };
      assert.equal(got[0]!.retain, true);
      assert.deepEqual([first.status, first.pid], ['up', b.proc.child.pid]);
      await watcher.publishAsync('edge/health/request', '', { qos: 0 });
      await waitFor(() => got.some((m) => !m.retain), 5000, 'a live answer to the request');
      const live = JSON.parse(got.find((m) => !m.retain)!.payload) as typeof first;
      assert.ok((live.stats?.clients ?? 0) >= 1, JSON.stringify(live));
      assert.equal(typeof live.stats?.queued, 'number', 'the disk store counts what it queues');
    });

    await t.test('a client that starts reading the subscribe lines gets the subscriptions held already, and only it', async (st) => {
      const early = await client(st, b, { clientId: 'early-reader' });
      const earlyGot = collect(early);
      await early.subscribeAsync('$SYS/broker/log/M/#', { qos: 0 });
      const cm = await client(st, b, { clientId: 'cm-before' });
      await cm.subscribeAsync({ 'command//demo:device:edge:containers/req/#': { qos: 1 }, 'c//demo:device:edge:containers/q/#': { qos: 0 } });
      const gone = await client(st, b, { clientId: 'gone-before' });
      await gone.subscribeAsync('command//demo:gone/req/#', { qos: 1 });
      await gone.endAsync();
      await waitFor(() => earlyGot.some((m) => m.payload.endsWith(' gone-before 1 command//demo:gone/req/#')), 5000, 'live lines at the early reader');

      const late = await client(st, b, { clientId: 'late-reader' });
      const lateGot = collect(late);
      await late.subscribeAsync('$SYS/broker/log/M/subscribe', { qos: 0 });
      const lines = (got: Received[]) => got.filter((m) => m.topic === '$SYS/broker/log/M/subscribe').map((m) => m.payload.replace(/^\d{10}: /, ''));
      await waitFor(() => lines(lateGot).includes('cm-before 0 c//demo:device:edge:containers/q/#'), 5000, 'replayed lines');
      // a live line after the replay: anything replayed to the early reader would be ahead of it
      const marker = await client(st, b, { clientId: 'marker' });
      await marker.subscribeAsync('marker/x', { qos: 0 });
      await waitFor(() => lines(earlyGot).includes('marker 0 marker/x') && lines(lateGot).includes('marker 0 marker/x'), 5000, 'the marker line at both readers');

      const late1 = lines(lateGot);
      assert.ok(late1.includes('cm-before 1 command//demo:device:edge:containers/req/#'), late1.join('\n'));
      assert.ok(late1.includes('early-reader 0 $SYS/broker/log/M/#'), late1.join('\n'));
      assert.ok(!late1.some((l) => l.startsWith('gone-before ')), `a disconnected client's subscription replayed: ${late1.join('\n')}`);
      assert.equal(lines(earlyGot).filter((l) => l.startsWith('cm-before ')).length, 2, `the early reader saw each live line once: ${lines(earlyGot).join('\n')}`);
      // Mosquitto's clients read the replay the same way
      if (MOSQUITTO) {
        const r = await run('mosquitto_sub', ['-p', String(b.port), '-t', '$SYS/broker/log/M/subscribe', '-C', '50', '-W', '2', '-v']);
        assert.match(r.stdout, /^\$SYS\/broker\/log\/M\/subscribe \d{10}: cm-before 1 command\/\/demo:device:edge:containers\/req\/#$/m);
      }
    });
  });

  it('authenticates users and applies ACLs with %c and %u', async (t) => {
    const users = [
      { username: 'alice', password: 'wonderland' },
      // mosquitto_passwd -b file alice secret
      { username: 'connector', password: '$7$101$907awlymtfvyfMcS$KHK4S9giFh1UZO+KK3Qmj02vqYwJVcLR5JYvyVjMYm+75lT1nLC70VZ6hSkcp9tFmJYTylgicWLd3APaJUvsGg==' },
    ];
    const acl = [
      { permission: 'allow', action: 'both', topic: 'dev/%c/#' },
      { permission: 'allow', action: 'subscribe', topic: 'inbox/%u' },
      { user: 'connector', permission: 'allow', action: 'publish', topic: 'inbox/+' },
      { user: 'connector', permission: 'allow', action: 'subscribe', topic: '$SYS/broker/log/#' },
      { user: 'connector', permission: 'deny', action: 'publish', topic: 'inbox/root' },
    ];
    const b = await startBrokerProcess(t, ['--persistence', 'memory', '--allowAnonymous', 'false', '--users', JSON.stringify(users), '--acl', JSON.stringify(acl)]);

    await t.test('bad credentials get CONNACK 4, anonymous clients CONNACK 5', async () => {
      const refused = async (opts: IClientOptions) =>
        mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4, ...opts }).then(
          async (c) => {
            await c.endAsync(true);
            return 0;
          },
          (e: { code?: number }) => e.code,
        );
      assert.equal(await refused({ username: 'alice', password: 'wrong' }), 4);
      assert.equal(await refused({ username: 'nobody', password: 'x' }), 4);
      assert.equal(await refused({}), 5);
      assert.equal(await refused({ username: 'alice', password: 'wonderland' }), 0);
      assert.equal(await refused({ username: 'connector', password: 'secret' }), 0);
      if (MOSQUITTO) {
        const bad = await run('mosquitto_pub', ['-p', String(b.port), '-u', 'alice', '-P', 'nope', '-t', 'x', '-m', 'y']);
        assert.match(bad.stderr, /bad user name or password/i);
        const anon = await run('mosquitto_pub', ['-p', String(b.port), '-t', 'x', '-m', 'y']);
        assert.match(anon.stderr, /not authori[sz]ed/i);
        const good = await run('mosquitto_pub', ['-p', String(b.port), '-u', 'alice', '-P', 'wonderland', '-i', 'mosq-alice', '-t', 'dev/mosq-alice/x', '-m', 'y']);
        assert.equal(good.code, 0, good.stderr);
      }
      await b.proc.waitForLog((l) => l['msg'] === 'connection refused' && l['returnCode'] === 5);
    });

    await t.test('allow and deny with %c and %u', async (st) => {
      const alice = await client(st, b, { clientId: 'a1', username: 'alice', password: 'wonderland' });
      const got = collect(alice);
      const suback = await alice.subscribeAsync({ 'dev/a1/#': { qos: 1 }, 'inbox/alice': { qos: 1 }, 'inbox/root': { qos: 1 }, 'dev/other/#': { qos: 1 } }).then(
        () => undefined,
        (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
      );
      assert.deepEqual(suback, [1, 1, 128, 128]);
      const conn = await client(st, b, { clientId: 'conn', username: 'connector', password: 'secret' });
      await conn.publishAsync('inbox/alice', 'hello alice', { qos: 1 });
      await conn.publishAsync('inbox/root', 'denied', { qos: 1 });
      await conn.publishAsync('dev/a1/cmd', 'not conn tree', { qos: 1 });
      await alice.publishAsync('dev/a1/state', 'own tree', { qos: 1 });
      await alice.publishAsync('inbox/alice', 'subscribe-only', { qos: 1 });
      await waitFor(() => got.length >= 2, 5000, 'allowed messages');
      // A window: the denied messages come from two publishers, and a sentinel orders only its own publisher's.
      await expectNothingFor(300, () => got.length > 2 && got, 'a message the ACL denies');
      assert.deepEqual(got.map((m) => m.payload).sort(), ['hello alice', 'own tree']);
      const logs = collect(conn);
      await conn.subscribeAsync('$SYS/broker/log/#');
      const other = await client(st, b, { clientId: 'a2', username: 'alice', password: 'wonderland' });
      await other.endAsync();
      await waitFor(() => logs.some((m) => m.payload.endsWith('Client a2 disconnected.')), 5000, 'connector reads the $SYS log');
    });
  });
});
