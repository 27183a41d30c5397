// Kanto's suite-bootstrapping contract on the wire, against a real Mosquitto playing Hono (device user
// demo-auth@demo) and a backend stand-in on the northbound side: the feature is written, the pre-bootstrap
// file arrives in chunks with its hash, the response's chunks become the post-bootstrap file and its
// provisioning the connector's provisioning.json (0600, the old one kept); a bad hash or an error from the
// backend fails the attempt, the agent retries, and gives up after maxAttempts leaving the old file alone.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { findMosquitto, startCloudBroker, type CloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { prepareConfig } from '@ledge/shared/util';
import { captureLogger, createTempDir, hasCommand, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { bootstrappingEntry, createBootstrappingApp, lookupUser, type BootstrappingConfig } from './bootstrapping-app';

const DEVICE = 'demo:device';
const skip = skipUnlessTools('mosquitto, mosquitto_passwd, openssl', !findMosquitto() || !hasCommand('mosquitto_passwd') || !hasCommand('openssl'));

interface Envelope { topic: string; path: string; headers?: Record<string, unknown>; value?: Record<string, unknown> }

/** The backend: collects each request's chunks; `answer` decides what goes back (as Ditto commands on command///req/…). */
async function backend(t: TestContext, cloud: CloudBroker, answer: (requestId: string, file: Buffer, hashOk: boolean, n: number) => Record<string, unknown>[]) {
  const c: MqttClient = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, clientId: 'backend', reconnectPeriod: 0 });
  t.after(() => c.endAsync(true));
  const events: Envelope[] = [];
  const chunks = new Map<string, Buffer[]>();
  const responses: { topic: string; status: number }[] = [];
  let n = 0;
  c.on('message', (topic, payload) => {
    if (topic.startsWith('command///res/')) return void responses.push({ topic, status: Number(topic.split('/').at(-1)) });
    const env = JSON.parse(payload.toString()) as Envelope;
    events.push(env);
    if (env.path !== '/features/Bootstrapping/outbox/messages/request') return;
    const v = env.value as { requestId: string; chunk?: string; hash?: string };
    const list = chunks.get(v.requestId) ?? [];
    if (v.chunk) list.push(Buffer.from(v.chunk, 'base64'));
    chunks.set(v.requestId, list);
    if (v.chunk && !v.hash) return; // more chunks follow
    const file = Buffer.concat(list);
    const hashOk = !v.hash || createHash('sha256').update(file).digest('hex') === v.hash;
    n++;
    for (const [i, value] of answer(v.requestId, file, hashOk, n).entries()) {
      const reqId = `bs-${n}-${i}`;
      const cmd = { topic: `demo/device/things/live/messages/response`, headers: { 'correlation-id': reqId, 'response-required': true }, path: '/features/Bootstrapping/inbox/messages/response', value };
      void c.publishAsync(`command///req/${reqId}/response`, JSON.stringify(cmd), { qos: 1 });
    }
  });
  await c.subscribeAsync(['event/#', 'command///res/#'], { qos: 1 });
  return { events, chunks, responses };
}

function setup(t: TestContext, cloud: CloudBroker, over: (dir: string) => Record<string, string> = () => ({})) {
  const dir = createTempDir(t, 'ledge-bootstrap-');
  const provisioning = join(dir, 'provisioning.json');
  const config = prepareConfig(bootstrappingEntry, {
    env: {
      LEDGE_BOOTSTRAPPING_ADDRESS: `tcp://127.0.0.1:${cloud.plainPort}`,
      LEDGE_BOOTSTRAPPING_DEVICE_ID: DEVICE,
      LEDGE_BOOTSTRAPPING_TENANT_ID: 'demo',
      LEDGE_BOOTSTRAPPING_AUTH_ID: 'demo-auth',
      LEDGE_BOOTSTRAPPING_PASSWORD: cloud.users.device.password,
      LEDGE_BOOTSTRAPPING_PROVISIONING_FILE: join(dir, 'none.json'),
      LEDGE_BOOTSTRAPPING_BOOTSTRAP_PROVISIONING_FILE: provisioning,
      LEDGE_BOOTSTRAPPING_POST_BOOTSTRAP_FILE: join(dir, 'post.bin'),
      LEDGE_BOOTSTRAPPING_RETRY_DELAY: '100ms',
      ...over(dir),
    },
    configDir: '/nonexistent',
  }).config as BootstrappingConfig;
  const log = captureLogger('test', 'debug');
  const app = createBootstrappingApp(config, { logger: log.logger });
  t.after(() => app.close());
  return { dir, provisioning, app, log };
}

const NEW_PROVISIONING = JSON.stringify({ hub: { credentials: { deviceId: 'demo:gateway-1', tenantId: 'demo', authId: 'gateway-1', secrets: [{ password: 'real-pw' }], adapters: [{ type: 'mqtt', uri: 'mqtts://hub.example', port: 8883 }] } } });

describe('bootstrapping against a Mosquitto cloud', { skip }, () => {
  it('sends the pre-bootstrap file in chunks with its hash; the response becomes the post-bootstrap file and the provisioning (0600, old kept)', async (t) => {
    const cloud = await startCloudBroker(t);
    const pre = randomBytes(100 * 1024);
    const post = randomBytes(70 * 1024);
    const b = await backend(t, cloud, (requestId, file, hashOk) => {
      assert.ok(hashOk && file.equals(pre), 'the backend got the pre-bootstrap file');
      const half = 40 * 1024;
      return [
        { requestId, chunk: post.subarray(0, half).toString('base64') },
        { requestId, chunk: post.subarray(half).toString('base64'), hash: createHash('sha256').update(post).digest('hex'), provisioning: NEW_PROVISIONING },
      ];
    });
    const s = setup(t, cloud, (dir) => {
      writeFileSync(join(dir, 'pre.bin'), pre);
      writeFileSync(join(dir, 'provisioning.json'), '{"old":true}');
      // As root (CI), the provisioning goes to another user, as the unit hands it to the connector's.
      return { LEDGE_BOOTSTRAPPING_PRE_BOOTSTRAP_FILE: join(dir, 'pre.bin'), ...(process.getuid?.() === 0 ? { LEDGE_BOOTSTRAPPING_PROVISIONING_OWNER: 'nobody' } : {}) };
    });
    await s.app.start();
    await s.app.finished;
    const feature = b.events.find((e) => e.path === '/features/Bootstrapping');
    assert.deepEqual(feature?.value, { definition: ['com.bosch.iot.suite:Bootstrapping:1.0.0'] });
    const requests = b.events.filter((e) => e.path === '/features/Bootstrapping/outbox/messages/request');
    assert.equal(requests.length, 3, '100 KiB in 45 KiB chunks');
    assert.ok(requests.slice(0, 2).every((r) => r.value!['hash'] === undefined) && typeof requests[2]!.value!['hash'] === 'string', 'the hash on the last');
    assert.ok(readFileSync(join(s.dir, 'post.bin')).equals(post), 'the post-bootstrap file');
    assert.equal(readFileSync(s.provisioning, 'utf8'), NEW_PROVISIONING);
    assert.equal(statSync(s.provisioning).mode & 0o777, 0o600);
    if (process.getuid?.() === 0) assert.equal(statSync(s.provisioning).uid, lookupUser('nobody').uid, 'owned by provisioningOwner');
    assert.equal(readFileSync(`${s.provisioning}.previous`, 'utf8'), '{"old":true}');
    await waitFor(() => b.responses.length === 2, 5000, 'answers to the response commands');
    assert.deepEqual(b.responses.map((r) => r.status), [204, 204]);
  });

  it('a wrong hash fails the attempt and the next one succeeds; an error code every time gives up after maxAttempts, the old provisioning untouched', async (t) => {
    const cloud = await startCloudBroker(t);
    const b = await backend(t, cloud, (requestId, _file, _ok, n) =>
      n === 1 ? [{ requestId, hash: 'a'.repeat(64), provisioning: NEW_PROVISIONING }] : [{ requestId, hash: createHash('sha256').update(Buffer.alloc(0)).digest('hex'), provisioning: NEW_PROVISIONING }],
    );
    const s = setup(t, cloud);
    await s.app.start();
    await s.app.finished;
    assert.equal(readFileSync(s.provisioning, 'utf8'), NEW_PROVISIONING);
    assert.ok(s.log.lines.some((l) => l['msg'] === 'bootstrapping request failed' && /does not match/.test(String(l['reason']))), 'the bad hash was reported');
    await waitFor(() => b.responses.length === 2, 5000, 'answers to both response commands');
    assert.deepEqual(b.responses.map((r) => r.status).sort(), [204, 400]);

    const cloud2 = await startCloudBroker(t);
    await backend(t, cloud2, (requestId) => [{ requestId, error: 7 }]);
    const s2 = setup(t, cloud2, (dir) => {
      writeFileSync(join(dir, 'provisioning.json'), '{"old":true}');
      return { LEDGE_BOOTSTRAPPING_MAX_ATTEMPTS: '2' };
    });
    await s2.app.start();
    await assert.rejects(s2.app.finished!, /bootstrapping failed: 2 requests failed, the last: the backend answered error 7/);
    assert.equal(readFileSync(s2.provisioning, 'utf8'), '{"old":true}');
    assert.ok(!existsSync(`${s2.provisioning}.previous`));
  });
});
