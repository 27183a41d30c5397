// The bundle's lifecycle: SIGTERM with clients connected, a restart on the same data directory (disk
// persistence), the TLS and WebSocket listeners, and a bad config.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { bundlePath, createTempDir, expectNothingFor, hasCommand, spawnNode, waitFor, type TestContextLike, skipUnlessTools } from '@ledge/shared/util/testing';
import { run, startBrokerProcess } from './testing';

function collect(c: MqttClient): string[] {
  const got: string[] = [];
  c.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  return got;
}

function selfSignedCert(t: TestContextLike): { cert: string; key: string } {
  const dir = createTempDir(t, 'ledge-broker-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { cert, key };
}

describe('broker lifecycle (bundle)', () => {
  it('keeps retained messages and queued QoS 1 messages across a SIGTERM restart', async (t) => {
    const first = await startBrokerProcess(t);
    const sub = await mqtt.connectAsync(first.url, { clientId: 'offline-app', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    await sub.subscribeAsync('cmd/#', { qos: 1 });
    await sub.endAsync();
    const pub = await mqtt.connectAsync(first.url, { clientId: 'restart-pub', reconnectPeriod: 0, protocolVersion: 4 });
    await pub.publishAsync('edge/thing/state', 'retained-before-restart', { qos: 1, retain: true });
    for (let i = 0; i < 3; i++) await pub.publishAsync('cmd/x', `queued-${i}`, { qos: 1 });
    // a client still connected at shutdown: SIGTERM must not wait for it
    const lingering = await mqtt.connectAsync(first.url, { clientId: 'lingering', reconnectPeriod: 0, protocolVersion: 4, will: { topic: 'will/lingering', payload: Buffer.from('x'), qos: 1, retain: true } });
    t.after(() => lingering.endAsync(true));
    await pub.endAsync();

    const started = Date.now();
    assert.equal(await first.proc.kill('SIGTERM'), 0, 'clean exit');
    assert.ok(Date.now() - started < 5000, 'shutdown is quick');
    assert.ok(first.proc.logs.some((l) => l['msg'] === 'broker stopped'));

    const second = await startBrokerProcess(t, [], first.dataDir);
    const back = mqtt.connect(second.url, { clientId: 'offline-app', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => back.endAsync(true));
    const got = collect(back);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      back.once('connect', resolve);
      back.once('error', reject);
    });
    assert.equal(connack.sessionPresent, true, 'the session survived');
    await waitFor(() => got.length === 3, 10_000, 'queued messages after restart');
    assert.deepEqual(got, ['cmd/x queued-0', 'cmd/x queued-1', 'cmd/x queued-2']);

    const late = await mqtt.connectAsync(second.url, { clientId: 'late', reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => late.endAsync(true));
    const retained = collect(late);
    await late.subscribeAsync({ 'edge/thing/state': { qos: 1 }, 'will/#': { qos: 1 } });
    await waitFor(() => retained.length >= 1, 5000, 'retained message after restart');
    // A window, not a sentinel: the retained messages of one SUBSCRIBE come in no defined order.
    await expectNothingFor(300, () => retained.length > 1 && retained, 'a second retained message (the will published by the shutdown)');
    assert.deepEqual(retained, ['edge/thing/state retained-before-restart'], 'the will of a client connected at shutdown is not published by the shutdown');
  });

  it('serves MQTT over TLS and WebSocket', { skip: skipUnlessTools('openssl', !hasCommand('openssl')) }, async (t) => {
    const { cert, key } = selfSignedCert(t);
    const b = await startBrokerProcess(t, ['--persistence', 'memory', '--tlsPort', '0', '--tlsCert', cert, '--tlsKey', key, '--wsPort', '0']);
    const tls = await b.proc.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tls');
    const ws = await b.proc.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'ws');
    const sub = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => sub.endAsync(true));
    const got = collect(sub);
    await sub.subscribeAsync('via/#', { qos: 1 });

    const overTls = await mqtt.connectAsync(`mqtts://127.0.0.1:${String(tls['port'])}`, { ca: readFileSync(cert), reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => overTls.endAsync(true));
    await overTls.publishAsync('via/tls', 'secure', { qos: 1 });
    const overWs = await mqtt.connectAsync(`ws://127.0.0.1:${String(ws['port'])}/mqtt`, { reconnectPeriod: 0, protocolVersion: 4 });
    t.after(() => overWs.endAsync(true));
    await overWs.publishAsync('via/ws', 'web', { qos: 1 });
    if (hasCommand('mosquitto_pub')) {
      const r = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(tls['port']), '--cafile', cert, '-t', 'via/mosquitto-tls', '-m', 'ok', '-q', '1']);
      assert.equal(r.code, 0, r.stderr);
    }
    await waitFor(() => got.length === (hasCommand('mosquitto_pub') ? 3 : 2), 5000, 'messages over TLS and WebSocket');
    assert.deepEqual(got.sort(), ['via/tls secure', 'via/ws web', ...(hasCommand('mosquitto_pub') ? ['via/mosquitto-tls ok'] : [])].sort());
  });

  it('exits 2 with a message naming the key on bad config, 1 when the port is taken', async (t) => {
    const bad = spawnNode(t, bundlePath('broker'), { args: ['--port', '0', '--acl', '[{"permission":"allow","action":"both","topic":"a/#/b"}]'] });
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr.join(''), /'acl'.*rule 0/);
    const b = await startBrokerProcess(t, ['--persistence', 'memory']);
    const clash = spawnNode(t, bundlePath('broker'), { args: ['--port', String(b.port), '--persistence', 'memory'] });
    assert.equal(await clash.exited, 1);
    assert.ok(clash.logs.some((l) => l['msg'] === 'start failed' && JSON.stringify(l).includes('LEDGE_BROKER_LISTEN_FAILED')));
  });
});
