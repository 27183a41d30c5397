import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { createFakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createContainerManagement } from './container-management';
import type { Fetch } from './software-updatable';
import { createMemoryRuntime } from './testing/memory-runtime';

const THING = 'demo:gw:edge:containers';
type Env = { topic: string; path: string; value?: unknown };

const descriptor = JSON.stringify({ container_name: 'influxdb', image: { name: 'docker.io/library/influxdb:1.8.4' } });
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function setup(t: TestContext, files: Record<string, string>) {
  const bus = createFakeLocalBus();
  const log = captureLogger('test', 'debug');
  const client = bus.createClient({ clientId: 'cm', logger: log.logger });
  await client.start();
  const runtime = createMemoryRuntime();
  const fetch: Fetch = async (url) => {
    const body = files[url];
    return { ok: body !== undefined, status: body === undefined ? 404 : 200, arrayBuffer: async () => new TextEncoder().encode(body ?? '').buffer as ArrayBuffer };
  };
  const cm = createContainerManagement({ runtime, bus: client, homeDir: createTempDir(t), logger: log.logger, restartDelayMs: 0, fetch });
  t.after(async () => {
    await cm.close();
    await client.close();
  });
  await cm.start();
  // Answer like a connector: the agent's subscription is in place once start resolved.
  bus.inject('edge/thing/response', '{"deviceId":"demo:gw","tenantId":"demo"}');
  await bus.idle();
  assert.equal(cm.agent.thingId, THING);
  let n = 0;
  const call = async (op: string, value: unknown) => {
    const req = `r${++n}`;
    bus.inject(
      `command//${THING}/req/${req}/${op}`,
      JSON.stringify({ topic: `demo/gw:edge:containers/things/live/messages/${op}`, headers: { 'correlation-id': req, 'response-required': true }, path: `/features/SoftwareUpdatable/inbox/messages/${op}`, value }),
    );
    await bus.idle();
    // The install goes on after the answer; its status events are on the bus once it and the bus are done.
    await cm.softwareUpdatable!.idle();
    await bus.idle();
    const res = bus.published.find((p) => p.topic.startsWith(`command//${THING}/res/${req}/`));
    assert.ok(res, `response to ${op}`);
    return Number(res.topic.split('/').at(-1));
  };
  const events = () => bus.published.filter((p) => p.topic === `event/demo/${THING}`).map((p) => JSON.parse(p.payload.toString()) as Env);
  const suEvents = () =>
    events()
      .filter((e) => e.path.startsWith('/features/SoftwareUpdatable/properties/status/'))
      .map((e) => {
        const prop = e.path.split('/').at(-1)!;
        return prop === 'installedDependencies' ? 'installedDependencies' : `${prop}:${(e.value as { status: string }).status}`;
      });
  return { cm, call, events, suEvents, runtime };
}

const installValue = (url: string, checksums: Record<string, string>) => ({
  correlationId: 'corr-1',
  softwareModules: [{ softwareModule: { name: 'influxdb', version: '1.8.4' }, artifacts: [{ filename: 'influxdb.json', download: { HTTPS: { url } }, checksums }] }],
});

describe('softwareUpdatableSuite', () => {
  it('publishes the feature with softwareModuleType oci:container', async (t) => {
    const { events } = await setup(t, {});
    const f = events().find((e) => e.path === '/features/SoftwareUpdatable');
    assert.deepEqual(f?.value, { definition: ['org.eclipse.hawkbit.swupdatable:SoftwareUpdatable:2.0.0'], properties: { status: { softwareModuleType: 'oci:container', installedDependencies: {} } } });
  });

  it('install: STARTED→DOWNLOADING→DOWNLOADED→INSTALLING→INSTALLED→FINISHED_SUCCESS plus installedDependencies; then remove', async (t) => {
    const { call, suEvents, events, cm } = await setup(t, { 'https://repo/influxdb.json': descriptor });
    assert.equal(await call('install', installValue('https://repo/influxdb.json', { SHA256: sha256(descriptor), MD5: md5(descriptor) })), 204);
    assert.deepEqual(suEvents(), [
      'lastOperation:STARTED',
      'lastOperation:DOWNLOADING',
      'lastOperation:DOWNLOADED',
      'lastOperation:INSTALLING',
      'lastOperation:INSTALLED',
      'installedDependencies',
      'lastOperation:FINISHED_SUCCESS',
    ]);
    const [rec] = cm.manager.list();
    assert.ok(rec, 'rec');
    assert.equal(rec.config.name, 'influxdb');
    assert.equal(rec.state.status, 'RUNNING');
    const deps = events().find((e) => e.path.endsWith('/installedDependencies'))!.value as Record<string, unknown>;
    assert.deepEqual(deps, { [`docker.io%2Flibrary%2Finfluxdb.${rec.id}:1.8.4`]: { group: 'docker.io/library/influxdb', name: rec.id, version: '1.8.4' } });
    const last = events().filter((e) => e.path.endsWith('/lastOperation')).at(-1)!.value as Record<string, unknown>;
    assert.equal(last['correlationId'], 'corr-1');
    const before = suEvents().length;
    assert.equal(await call('remove', { correlationId: 'corr-2', forced: true, software: [{ name: rec.id }] }), 204);
    assert.deepEqual(suEvents().slice(before), ['lastOperation:REMOVING', 'installedDependencies', 'lastOperation:REMOVED', 'lastOperation:FINISHED_SUCCESS']);
    assert.equal(cm.manager.list().length, 0);
  });

  it('install over an existing container with an unpullable image: FINISHED_ERROR with the pull error; the old container runs on', async (t) => {
    const broken = JSON.stringify({ container_name: 'influxdb', image: { name: 'docker.io/library/influxdb:9.9.9' } });
    const { call, events, cm, runtime } = await setup(t, { 'https://repo/influxdb.json': descriptor, 'https://repo/broken.json': broken });
    assert.equal(await call('install', installValue('https://repo/influxdb.json', { MD5: md5(descriptor) })), 204);
    const before = structuredClone(cm.manager.list()[0]!);
    runtime.missingImages.add('docker.io/library/influxdb:9.9.9');
    assert.equal(await call('install', installValue('https://repo/broken.json', { MD5: md5(broken) })), 204);
    const last = events().filter((e) => e.path.endsWith('/lastOperation')).at(-1)!.value as Record<string, unknown>;
    assert.equal(last['status'], 'FINISHED_ERROR');
    assert.match(String(last['message']), /cannot pull image docker.io\/library\/influxdb:9.9.9/);
    assert.deepEqual(cm.manager.list(), [before], 'same record: RUNNING on 1.8.4');
    assert.equal(runtime.containers.get(before.id)!.task?.status, 'running');
  });

  it('empty install params → 400; wrong MD5 → FINISHED_ERROR "internal runtime error"; unknown ID → lastFailedOperation message', async (t) => {
    const { call, suEvents, events, cm } = await setup(t, { 'https://repo/influxdb.json': descriptor });
    assert.equal(await call('install', {}), 400);
    assert.equal(await call('install', { correlationId: 'x', softwareModules: [] }), 400);
    assert.equal(await call('cancel', {}), 404);
    assert.equal(await call('install', installValue('https://repo/influxdb.json', { MD5: md5('something else') })), 204);
    assert.deepEqual(suEvents(), ['lastOperation:STARTED', 'lastOperation:DOWNLOADING', 'lastFailedOperation:FINISHED_ERROR', 'lastOperation:FINISHED_ERROR']);
    const failed = events().filter((e) => e.path.endsWith('/lastOperation')).at(-1)!.value as Record<string, unknown>;
    assert.equal(failed['message'], 'internal runtime error');
    assert.equal(cm.manager.list().length, 0);
    assert.equal(await call('remove', { correlationId: 'c', software: [{ name: 'NonExistingContainer' }] }), 204);
    const lf = events().filter((e) => e.path.endsWith('/lastFailedOperation')).at(-1)!.value as Record<string, unknown>;
    assert.equal(lf['message'], 'container with ID = NonExistingContainer does not exist');
    assert.equal(await call('install', installValue('https://repo/missing.json', { MD5: md5('x') })), 204);
    assert.equal((events().filter((e) => e.path.endsWith('/lastOperation')).at(-1)!.value as Record<string, unknown>)['status'], 'FINISHED_ERROR');
  });
});
