// The AWS IoT Core layout end to end over real brokers: one Mosquitto is the local bus, a second one with
// a mutual-TLS listener stands in for AWS IoT Core (a test client plays the Device Shadow service by
// answering `update/accepted`). A minimal pump (MQTT.js + the pure protocol) connects them, as the bridge
// will; the device ID comes from the client certificate's CN, as in aws-connector.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type MqttClient } from 'mqtt';
import { findMosquitto, freePort, startMosquitto, type Mosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { createTempDir, hasCommand, waitFor, skipUnlessTools } from '@ledge/shared/util/testing';
import type { CloudProtocol, DeviceContext } from '@ledge/connector/model-connector';
import { createAwsProtocol } from './aws-protocol';
import { awsDeviceIdFromCertificate } from './device-id';

const skip = skipUnlessTools('mosquitto and openssl', findMosquitto() === undefined || !hasCommand('openssl'));

function makePki(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = (name: string) => run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  key('ca');
  run('req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Test Root CA');
  const leaf = (name: string, subject: string, ext: string) => {
    key(name);
    run('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    execFileSync('sh', ['-c', `printf '%s\\n' '${ext}' > ${name}.ext`], { cwd: dir });
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  };
  leaf('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1');
  leaf('device', '/CN=test:device', 'extendedKeyUsage=clientAuth');
  // Mosquitto started as root drops to its own user: let it read the (test-only) files.
  chmodSync(dir, 0o755);
  for (const n of readdirSync(dir)) chmodSync(join(dir, n), 0o644);
  const f = (n: string) => join(dir, n);
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), cert: f('device.pem'), key: f('device.key') };
}

async function client(url: string, opts: Parameters<typeof connect>[1] = {}): Promise<MqttClient> {
  const c = connect(url, { reconnectPeriod: 0, ...opts });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

/**
 * What the bridge does, minus outbox/correlation/status: subscribe both sides and map. `fromCloud`: the
 * topic of every cloud message once it was mapped (and what it became published locally).
 */
async function pump(protocol: CloudProtocol, ctx: DeviceContext, local: MqttClient, cloud: MqttClient) {
  const drops: string[] = [];
  const fromCloud: string[] = [];
  local.on('message', (topic, payload) => {
    const r = protocol.toCloud({ topic, payload, qos: 1 }, ctx);
    if (!r.ok) drops.push(r.drop);
    else for (const m of r.messages) cloud.publish(m.topic, m.payload, { qos: m.qos === 2 ? 1 : m.qos });
  });
  cloud.on('message', (topic, payload) => {
    const r = protocol.toLocal({ topic, payload, qos: 1 }, ctx);
    if (!r.ok) drops.push(r.drop);
    else for (const m of r.messages) local.publish(m.topic, m.payload, { qos: m.qos });
    fromCloud.push(topic);
  });
  await local.subscribeAsync([...protocol.localSubscriptions], { qos: 1 });
  await cloud.subscribeAsync(protocol.cloudSubscriptions(ctx).map((f) => f), { qos: 1 });
  return { drops, fromCloud };
}

describe('AWS IoT Core layout over Mosquitto (mutual TLS)', { skip }, () => {
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) };
  let localBroker: Mosquitto;
  let tlsUrl: string;
  let pki: ReturnType<typeof makePki>;
  before(async () => {
    pki = makePki(createTempDir(t, 'ledge-aws-pki-'));
    const tlsPort = await freePort();
    tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
    localBroker = await startMosquitto(t);
    await startMosquitto(t, {
      extraConfig: `listener ${tlsPort} 127.0.0.1\ncafile ${pki.ca}\ncertfile ${pki.serverCert}\nkeyfile ${pki.serverKey}\nrequire_certificate true\nuse_identity_as_username true\n`,
    });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('twin modifies become shadow updates, stale keys are nulled after update/accepted, commands come down', async () => {
    const deviceId = awsDeviceIdFromCertificate(readFileSync(pki.cert));
    assert.equal(deviceId, 'test:device');
    const ctx: DeviceContext = { deviceId, tenantId: 'default-tenant-id', now: () => 42 };
    const tls = { ca: readFileSync(pki.ca), cert: readFileSync(pki.cert), key: readFileSync(pki.key) };
    const local = await client(localBroker.url, { clientId: 'cloud' });
    const cloud = await client(tlsUrl, { clientId: deviceId, ...tls });
    const app = await client(localBroker.url);
    const aws = await client(tlsUrl, tls); // plays the Device Shadow service and a business app
    t.after(() => Promise.all([local, cloud, app, aws].map((c) => c.endAsync(true))));
    const { drops, fromCloud } = await pump(createAwsProtocol(), ctx, local, cloud);

    const shadowTraffic: [string, string][] = [];
    aws.on('message', (topic, payload) => {
      if (topic.startsWith('$aws/') && (topic.endsWith('/update') || topic.endsWith('/delete'))) {
        shadowTraffic.push([topic, payload.toString()]);
        if (topic.endsWith('/update')) aws.publish(`${topic}/accepted`, payload, { qos: 1 });
      } else shadowTraffic.push([topic, payload.toString()]);
    });
    await aws.subscribeAsync(['$aws/things/test:device/shadow/#', 'telemetry/#'], { qos: 1 });
    const appGot: string[] = [];
    app.on('message', (topic) => void appGot.push(topic));
    await app.subscribeAsync(['command///req/#', 'c///q/#'], { qos: 1 });

    const modify = (value: object) =>
      JSON.stringify({ topic: 'test/device/things/twin/commands/modify', headers: {}, path: '/features/meter/properties', value });
    await app.publishAsync('e', modify({ a: 1, b: 2 }), { qos: 1 });
    const S = '$aws/things/test:device/shadow/name/meter/update';
    await waitFor(() => shadowTraffic.some(([tp]) => tp === S), 5000, 'first shadow update');
    // The accepted response comes back through the pump before the second modify.
    await waitFor(() => fromCloud.includes(`${S}/accepted`), 5000, 'update/accepted through the pump');
    await app.publishAsync('e', modify({ a: 3 }), { qos: 1 });
    await app.publishAsync('t', '{"plain":true}', { qos: 1 });
    await waitFor(() => shadowTraffic.filter(([tp]) => tp === S).length === 2 && shadowTraffic.some(([tp]) => tp.startsWith('telemetry/')), 5000, 'second update');
    const updates = shadowTraffic.filter(([tp]) => tp === S).map(([, p]) => JSON.parse(p));
    assert.deepEqual(updates, [{ state: { reported: { a: 1, b: 2 } } }, { state: { reported: { a: 3, b: null } } }]);
    const telemetry = shadowTraffic.find(([tp]) => tp.startsWith('telemetry/'));
    assert.deepEqual(telemetry && [telemetry[0], JSON.parse(telemetry[1])], ['telemetry/default-tenant-id/test:device', { plain: true, headers: { 'x-timestamp': 42 } }]);

    const command = JSON.stringify({ topic: 'test/device/things/live/messages/install', headers: { 'correlation-id': 'c1' }, path: '/features/SoftwareUpdatable/inbox/messages/install', value: {} });
    // c2 is for another thing. c3 after it is the sentinel: the pump maps in arrival order and publishes
    // locally in that order, so once both forms of c3 are here, anything c2 became would be too.
    await aws.publishAsync('command///req/c1/install', command, { qos: 1 });
    await aws.publishAsync('command///req/c2/install', command.replace('test/device', 'other/device'), { qos: 1 });
    await aws.publishAsync('command///req/c3/install', command.replace('"c1"', '"c3"'), { qos: 1 });
    await waitFor(() => appGot.includes('c///q/c3/install') && appGot.includes('command///req/c3/install'), 5000, 'the sentinel command on both forms');
    assert.deepEqual(appGot.sort(), ['c///q/c1/install', 'c///q/c3/install', 'command///req/c1/install', 'command///req/c3/install']);
    assert.ok(drops.some((d) => /not addressed/.test(d)), drops.join('\n'));
  });
});
