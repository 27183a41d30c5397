// The built-in ACL on the shipped broker bundle (issue 23): with the connector's account provisioned, a
// local client without it cannot inject a cloud command, an identity or a link status (dropped, logged
// with its client ID; nor as a Last Will), while third-party apps keep the rest of the bus. Nor a desired
// state, a command or a consent of the update contract without the update manager's account (issue 18).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TestContextLike } from '@ledge/shared/util/testing';
import { startBrokerProcess, type BrokerProcess } from './testing';

const CONNECTOR = { username: 'ledge-connector', password: 'connector-secret' };
const UPDATE_MANAGER = { username: 'ledge-update-manager', password: 'update-manager-secret' };

async function client(t: TestContextLike, b: BrokerProcess, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  t.after(() => c.endAsync(true));
  return c;
}

/** The CONNACK of a client with these options: 'ok' or the error's message. */
async function connack(b: BrokerProcess, opts: IClientOptions): Promise<string> {
  try {
    const c = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
    await c.endAsync(true);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

describe("broker (bundle): Ledge's built-in ACL", () => {
  it('only ledge-connector injects what comes from the cloud; everyone keeps events, responses and their own topics', async (t) => {
    const b = await startBrokerProcess(t, ['--users', JSON.stringify([CONNECTOR])]);
    assert.equal((await b.proc.waitForLog((l) => l['msg'] === 'broker started'))['ledgeAcl'], true, 'auto: on, the connector has an account');
    const watcher = await client(t, b, { clientId: 'watcher' });
    const got: string[] = [];
    watcher.on('message', (topic, payload) => !topic.startsWith('edge/health/') && got.push(`${topic} ${payload.toString()}`)); // health: ledge-acl.spec
    await watcher.subscribeAsync(['command/#', 'c/#', 'edge/#', 'e', 'mine/#'], { qos: 1 });

    const intruder = await client(t, b, { clientId: 'forger' });
    for (const topic of ['command///req/x1/install', 'c///q/x1/install', 'edge/thing/response', 'edge/connection/remote/status']) {
      await intruder.publishAsync(topic, 'forged', { qos: 1 }); // PUBACKed: MQTT 3.1.1 has no negative PUBACK
    }
    await intruder.publishAsync('command///res/x1/204', 'answer', { qos: 1 });
    await intruder.publishAsync('e', 'event', { qos: 1 });
    await intruder.publishAsync('mine/readings', 'own topic', { qos: 1 });
    const connector = await client(t, b, { clientId: 'ledge-connector', ...CONNECTOR });
    await connector.publishAsync('command///req/x2/install', 'from the cloud', { qos: 1 });
    const marker = await client(t, b, { clientId: 'marker' });
    await marker.publishAsync('mine/done', 'end', { qos: 1 }); // delivered after everything above (one subscriber, in order)
    await new Promise<void>((resolve) => {
      const check = () => (got.some((g) => g.startsWith('mine/done')) ? resolve() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual(got, ['command///res/x1/204 answer', 'e event', 'mine/readings own topic', 'command///req/x2/install from the cloud', 'mine/done end']);
    const denied = b.proc.logs.filter((l) => l['msg'] === 'publish denied by ACL, dropped');
    assert.deepEqual(denied.map((l) => [l['clientId'], l['topic'], l['level']]), [
      ['forger', 'command///req/x1/install', 'warn'],
      ['forger', 'c///q/x1/install', 'warn'],
      ['forger', 'edge/thing/response', 'warn'],
      ['forger', 'edge/connection/remote/status', 'warn'],
    ]);
  });

  it("only ledge-update-manager gives the update contract's orders; agents report without an account", async (t) => {
    const b = await startBrokerProcess(t, ['--users', JSON.stringify([CONNECTOR, UPDATE_MANAGER])]);
    const agent = await client(t, b, { clientId: 'containers-agent' });
    const got: string[] = [];
    agent.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await agent.subscribeAsync(['+/desiredstate', '+/desiredstate/command', '+/ownerconsentfeedback', '+/desiredstatefeedback', '+/currentstate', 'mine/#'], { qos: 1 });

    const orders = ['deviceupdate/desiredstate', 'deviceupdate/ownerconsentfeedback', 'containersupdate/desiredstate', 'containersupdate/desiredstate/command'];
    const intruder = await client(t, b, { clientId: 'forger' });
    for (const topic of orders) await intruder.publishAsync(topic, 'forged', { qos: 1 }); // PUBACKed and dropped, as above
    const connector = await client(t, b, { clientId: 'ledge-connector', ...CONNECTOR });
    await connector.publishAsync('containersupdate/desiredstate', 'from the connector', { qos: 1 }); // the cloud's road is the manager's feature
    await intruder.publishAsync('selfupdate/desiredstatefeedback', 'a report', { qos: 1 });
    await intruder.publishAsync('selfupdate/currentstate', 'an inventory', { qos: 1 });
    const manager = await client(t, b, { clientId: 'ledge-update-manager-1', ...UPDATE_MANAGER });
    for (const topic of orders) await manager.publishAsync(topic, 'ordered', { qos: 1 });
    await manager.publishAsync('mine/done', 'end', { qos: 1 });
    await new Promise<void>((resolve) => {
      const check = () => (got.some((g) => g.startsWith('mine/done')) ? resolve() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual(got, ['selfupdate/desiredstatefeedback a report', 'selfupdate/currentstate an inventory', ...orders.map((o) => `${o} ordered`), 'mine/done end']);
    const denied = b.proc.logs.filter((l) => l['msg'] === 'publish denied by ACL, dropped');
    assert.deepEqual(denied.map((l) => [l['clientId'], l['username'], l['topic']]), [
      ...orders.map((o) => ['forger', undefined, o]),
      ['ledge-connector', 'ledge-connector', 'containersupdate/desiredstate'],
    ]);
  });

  it('refuses a Last Will on a reserved topic, and the connector account with a wrong password', async (t) => {
    const b = await startBrokerProcess(t, ['--users', JSON.stringify([CONNECTOR])]);
    const will = { topic: 'edge/connection/remote/status', payload: Buffer.from('{"connected":true}'), qos: 1 as const, retain: true };
    assert.match(await connack(b, { clientId: 'will-forger', will }), /Not authorized/);
    assert.equal(await connack(b, { clientId: 'ledge-connector', ...CONNECTOR, will }), 'ok', "the connector's own will (CONNECTION_UNKNOWN)");
    assert.match(await connack(b, { clientId: 'guess', username: 'ledge-connector', password: 'guess' }), /Bad username or password|Not authorized/);
    assert.equal(await connack(b, { clientId: 'third-party' }), 'ok', 'anonymous third-party apps still connect');
  });

  it("is off without the connector's account (a bare broker, Kanto's open bus) and says so", async (t) => {
    const b = await startBrokerProcess(t);
    const started = await b.proc.waitForLog((l) => l['msg'] === 'broker started');
    assert.equal(started['ledgeAcl'], false);
    assert.ok(b.proc.logs.some((l) => l['msg'] === 'local bus open: any local client may publish cloud commands (docs/security.md)' && l['level'] === 'warn'));
  });
});
