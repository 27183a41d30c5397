import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createFakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { captureLogger, createFakeTime, createTempDir } from '@ledge/shared/util/testing';
import { createContainerManagement, type ContainerManagement } from './container-management';
import { createMemoryRuntime, type MemoryRuntime } from './testing/memory-runtime';

const THING = 'demo:gw:edge:containers';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type Env = { topic: string; path: string; value?: unknown; status?: number };

// Fake time drives the manager's timers (policy restarts), the metrics period and the clock of records and
// stats; the bus's idle() says when a command has been handled and answered (issue 22: no waiting on time).
async function setup(t: TestContext, opts: { runtime?: MemoryRuntime; home?: string; restartDelayMs?: number } = {}) {
  const time = createFakeTime();
  const bus = createFakeLocalBus();
  const log = captureLogger('test', 'debug');
  const client = bus.createClient({ clientId: 'cm', logger: log.logger });
  await client.start();
  const runtime = opts.runtime ?? createMemoryRuntime({ now: time.clock.now });
  const home = opts.home ?? (await createTempDir(t));
  const cm = createContainerManagement({
    runtime,
    bus: client,
    homeDir: home,
    logger: log.logger,
    restartDelayMs: opts.restartDelayMs ?? 0,
    defaultStopTimeoutMs: 1000,
    scheduler: time.scheduler,
    now: time.clock.now,
  });
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
  const call = async (feature: string, op: string, value: unknown) => {
    const req = `r${++n}`;
    bus.inject(
      `command//${THING}/req/${req}/${op}`,
      JSON.stringify({ topic: `demo/gw:edge:containers/things/live/messages/${op}`, headers: { 'correlation-id': req, 'response-required': true }, path: `/features/${feature}/inbox/messages/${op}`, value }),
    );
    await bus.idle();
    const res = bus.published.find((p) => p.topic.startsWith(`command//${THING}/res/${req}/`));
    if (res === undefined) throw new Error(`no response to ${op}`);
    return { status: Number(res.topic.split('/').at(-1)), env: JSON.parse(res.payload.toString()) as Env };
  };
  const events = () => bus.published.filter((p) => p.topic === `event/demo/${THING}`).map((p) => JSON.parse(p.payload.toString()) as Env);
  const states = (id: string) => events().filter((e) => e.path === `/features/Container:${id}/properties/status/state`).map((e) => (e.value as { status: string }).status);
  const create = async (value: unknown = { imageRef: 'docker.io/library/hello-world:latest', start: true }, op = 'create') => {
    const r = await call('ContainerFactory', op, value);
    assert.equal(r.status, 200, JSON.stringify(r.env));
    return r.env.value as string;
  };
  return { bus, time, runtime, home, cm, call, events, states, create, log };
}

describe('ctrFactorySuite', () => {
  it('publishes ContainerFactory and Metrics features with the exact definitions', async (t) => {
    const { events } = await setup(t);
    const ev = events();
    assert.deepEqual(ev.find((e) => e.path === '/features/ContainerFactory')?.value, { definition: ['com.bosch.iot.suite.edge.containers:ContainerFactory:1.3.0'] });
    assert.deepEqual(ev.find((e) => e.path === '/features/Metrics')?.value, { definition: ['com.bosch.iot.suite.edge.metric:Metrics:1.0.0'] });
    assert.equal(ev[0]!.topic, 'demo/gw:edge:containers/things/twin/commands/modify');
  });

  it('TestCreate: create start:true → 200 + UUID, Container feature with definition+status, RUNNING state, persisted', async (t) => {
    const { create, events, states, runtime, home } = await setup(t);
    const id = await create();
    assert.match(id, UUID_RE);
    const feature = events().find((e) => e.path === `/features/Container:${id}`);
    assert.ok(feature, 'feature');
    const v = feature.value as { definition: string[]; properties: { status: { name: string; imageRef: string; state: { status: string }; createdAt: string } } };
    assert.deepEqual(v.definition, ['com.bosch.iot.suite.edge.containers:Container:1.5.0']);
    assert.equal(v.properties.status.imageRef, 'docker.io/library/hello-world:latest');
    assert.equal(v.properties.status.name, 'hello-world');
    assert.equal(v.properties.status.state.status, 'CREATED');
    assert.match(v.properties.status.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.deepEqual(states(id), ['RUNNING']);
    assert.deepEqual(runtime.calls.slice(0, 3), ['pull docker.io/library/hello-world:latest', `create ${id}`, `start ${id}`]);
    const saved = JSON.parse(await readFile(join(home, 'containers', id, 'config.json'), 'utf8')) as { id: string; state: { status: string } };
    assert.equal(saved.id, id);
    assert.equal(saved.state.status, 'RUNNING');
  });

  it('TestCreateWithConfig(PortMapping): config reaches the runtime and the status', async (t) => {
    const { create, runtime, events } = await setup(t);
    const id = await create(
      { imageRef: 'docker.io/library/httpd:latest', name: 'web', start: false, config: { portMappings: [{ containerPort: 80, hostPort: 5000 }], restartPolicy: { type: 'NO' }, env: ['A=1'] } },
      'createWithConfig',
    );
    const c = runtime.containers.get(id)!.config;
    assert.deepEqual(c.portMappings, [{ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort: 5000 }]);
    assert.equal(c.name, 'web');
    const status = (events().find((e) => e.path === `/features/Container:${id}`)!.value as { properties: { status: { config: Record<string, unknown> } } }).properties.status;
    assert.deepEqual(status.config['restartPolicy'], { type: 'NO' });
    assert.deepEqual(status.config['portMappings'], [{ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort: 5000 }]);
    assert.equal(runtime.calls.includes(`start ${id}`), false, 'start:false does not start');
  });

  it('errors: missing imageRef 400, bad config 400, unknown operation 404, unpullable image 500, duplicate name 500', async (t) => {
    const { call, runtime, create } = await setup(t);
    const missing = await call('ContainerFactory', 'create', { start: true });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.env.value), /messages:parameter.invalid.*imageRef/);
    assert.equal((await call('ContainerFactory', 'createWithConfig', { imageRef: 'a', config: { resources: { memory: '1M' } } })).status, 400);
    assert.equal((await call('ContainerFactory', 'create', 'garbage')).status, 400);
    assert.equal((await call('ContainerFactory', 'explode', {})).status, 404);
    runtime.missingImages.add('nope:1');
    const pull = await call('ContainerFactory', 'create', { imageRef: 'nope:1' });
    assert.equal(pull.status, 500);
    assert.match((pull.env.value as { message: string }).message, /cannot pull image nope:1/);
    await create({ imageRef: 'a:1', name: 'same' }, 'createWithConfig');
    assert.equal((await call('ContainerFactory', 'createWithConfig', { imageRef: 'a:1', name: 'same' })).status, 500);
    const auto1 = await create({ imageRef: 'x/a:1' });
    const auto2 = await create({ imageRef: 'x/a:2' });
    assert.notEqual(runtime.containers.get(auto1)!.config.name, runtime.containers.get(auto2)!.config.name, 'derived names are made unique');
  });
});

describe('ctrInstanceSuite', () => {
  it('start/stop/pause/resume lifecycle with state events and wrong-state errors', async (t) => {
    const { create, call, states } = await setup(t);
    const id = await create({ imageRef: 'httpd:1', start: false });
    const f = `Container:${id}`;
    assert.equal((await call(f, 'start', {})).status, 204);
    const again = await call(f, 'start', {});
    assert.equal(again.status, 500, 'start of a running container fails');
    assert.match((again.env.value as { message: string }).message, /already running/);
    assert.equal((await call(f, 'pause', {})).status, 204);
    assert.equal((await call(f, 'resume', {})).status, 204);
    assert.equal((await call(f, 'resume', {})).status, 500, 'resume of a running container fails');
    assert.equal((await call(f, 'stop', {})).status, 204);
    assert.equal((await call(f, 'stop', {})).status, 500, 'stop of a stopped container fails');
    assert.equal((await call(f, 'pause', {})).status, 500);
    assert.deepEqual(states(id), ['RUNNING', 'PAUSED', 'RUNNING', 'STOPPED']);
  });

  it('stop of a paused container thaws it first and ends STOPPED', async (t) => {
    const { create, call, states, runtime } = await setup(t);
    const id = await create();
    assert.equal((await call(`Container:${id}`, 'pause', {})).status, 204);
    assert.equal((await call(`Container:${id}`, 'stop', {})).status, 204);
    assert.deepEqual(runtime.calls.filter((c) => c.endsWith(id) || c.startsWith(`stop ${id}`)).slice(-3), [`pause ${id}`, `resume ${id}`, `stop ${id} SIGTERM`]);
    assert.deepEqual(states(id), ['RUNNING', 'PAUSED', 'STOPPED']);
  });

  it('stopWithOptions SIGINT → STOPPED with the signal and timeout passed on; bad options 400', async (t) => {
    const { create, call, states, runtime } = await setup(t);
    const id = await create();
    assert.equal((await call(`Container:${id}`, 'stopWithOptions', { signal: 'SIGWHAT!', timeout: 1 })).status, 400);
    assert.equal((await call(`Container:${id}`, 'stopWithOptions', { signal: 'SIGINT', timeout: 30, force: true })).status, 204);
    assert.ok(runtime.calls.includes(`stop ${id} SIGINT`), 'runtime.calls.includes(`stop ${id} SIGINT`)');
    assert.deepEqual(states(id), ['RUNNING', 'STOPPED']);
  });

  it('rename → name event; update restartPolicy ALWAYS → config event; bad values 400', async (t) => {
    const { create, call, events, cm } = await setup(t);
    const id = await create();
    assert.equal((await call(`Container:${id}`, 'rename', 'renamed')).status, 204);
    assert.deepEqual(events().filter((e) => e.path === `/features/Container:${id}/properties/status/name`).map((e) => e.value), ['renamed']);
    assert.equal((await call(`Container:${id}`, 'rename', 42)).status, 400);
    assert.equal((await call(`Container:${id}`, 'update', { restartPolicy: { type: 'ALWAYS' }, resources: { memory: '500M' } })).status, 204);
    const cfg = events().filter((e) => e.path === `/features/Container:${id}/properties/status/config`).at(-1)!.value as Record<string, unknown>;
    assert.deepEqual(cfg['restartPolicy'], { type: 'ALWAYS' });
    assert.deepEqual(cfg['resources'], { memory: '500M' });
    assert.equal(cm.manager.get(id).config.restartPolicy.type, 'always');
    assert.equal((await call(`Container:${id}`, 'update', { restartPolicy: { type: 'SOMETIMES' } })).status, 400);
  });

  it('remove: stopped(false) ok, running(false) error, running(true) ok; feature deleted; unknown container 404', async (t) => {
    const { create, call, events, home, runtime } = await setup(t);
    const a = await create({ imageRef: 'a:1', start: false });
    const b = await create();
    assert.equal((await call(`Container:${a}`, 'remove', false)).status, 204);
    const refused = await call(`Container:${b}`, 'remove', false);
    assert.equal(refused.status, 500);
    assert.match((refused.env.value as { message: string }).message, /running/);
    assert.equal((await call(`Container:${b}`, 'remove', true)).status, 204);
    const deleted = events().filter((e) => e.topic.endsWith('/twin/commands/delete')).map((e) => e.path);
    assert.deepEqual(deleted, [`/features/Container:${a}`, `/features/Container:${b}`]);
    await assert.rejects(readFile(join(home, 'containers', b, 'config.json')), /ENOENT/);
    assert.equal(runtime.containers.size, 0);
    const gone = await call('Container:NonExistingContainer', 'start', {});
    assert.equal(gone.status, 404);
    assert.match((gone.env.value as { message: string }).message, /container with ID = NonExistingContainer does not exist/);
    assert.equal((await call(`Container:${a}`, 'explode', {})).status, 404);
  });
});

describe('ctrMetricsSuite', () => {
  it('request for all and for the first container yields data with the expected originators; no match → none', async (t) => {
    const { create, call, cm, events, time } = await setup(t);
    const a = await create();
    const b = await create({ imageRef: 'b:1', start: true });
    const data = () => events().filter((e) => e.path === '/features/Metrics/outbox/messages/data').map((e) => e.value as { timestamp: number; snapshot: { originator: string; measurements: { id: string }[] }[] });
    assert.equal((await call('Metrics', 'request', { frequency: '2s' })).status, 204);
    assert.equal(cm.metrics.active?.frequencyMs, 2000);
    await cm.metrics.tick();
    await time.advance(1000); // CPU utilisation needs two samples apart in time (less than the period: no tick of its own)
    await cm.metrics.tick();
    const all = data();
    assert.equal(all.length, 2);
    assert.deepEqual(all[1]!.snapshot.map((s) => s.originator).sort(), [`Container:${a}`, `Container:${b}`].sort());
    assert.ok(all[1]!.snapshot[0]!.measurements.some((m) => m.id === 'cpu.utilization'), "all[1]!.snapshot[0]!.measurements.some((m) => m.id === 'cpu.");
    assert.equal(all[1]!.timestamp, Math.floor(time.clock.now() / 1000), 'timestamp in seconds');
    assert.equal(events().at(-1)!.topic, 'demo/gw:edge:containers/things/live/messages/data');
    await call('Metrics', 'request', { frequency: '1s', filter: [{ id: ['memory.*'], originator: `Container:${a}` }] });
    await cm.metrics.tick();
    const one = data().at(-1)!;
    assert.deepEqual(one.snapshot.map((s) => s.originator), [`Container:${a}`]);
    assert.deepEqual(one.snapshot[0]!.measurements.map((m) => m.id), ['memory.utilization', 'memory.total', 'memory.used']);
    await call('Metrics', 'request', { frequency: '1s', filter: [{ id: ['nothing'] }] });
    const before = data().length;
    await cm.metrics.tick();
    assert.equal(data().length, before, 'non-matching filter sends nothing');
    await call('Metrics', 'request', { frequency: '0s' });
    assert.equal(cm.metrics.active, undefined);
  });

  it('invalid frequency → 400, invalid action → 404', async (t) => {
    const { call } = await setup(t);
    assert.equal((await call('Metrics', 'request', { frequency: '10 seconds' })).status, 400);
    assert.equal((await call('Metrics', 'subscribe', { frequency: '1s' })).status, 404);
  });
});

describe('restart policies', () => {
  type Setup = Awaited<ReturnType<typeof setup>>;
  /** Longer than any restart delay (the crash-loop back-off stops at 1 min): a restart not due by then never comes. */
  const AFTER_ANY_DELAY_MS = 60_000;
  /** The manager's next `state` event of `id` with `status` (subscribe before acting); the deadline is for a broken build only. */
  const stateEvent = (cm: ContainerManagement, id: string, status: string) =>
    new Promise<void>((resolve, reject) => {
      const off = cm.manager.onEvent((e) => {
        if (e.type !== 'state' || e.record.id !== id || e.record.state.status !== status) return;
        clearTimeout(deadline);
        off();
        resolve();
      });
      const deadline = setTimeout(() => (off(), reject(new Error(`no ${status} state of ${id} within 10 s`))), 10_000);
    });
  /** The task ends on its own; resolves once the manager has recorded the exit (and scheduled any restart). */
  const exitTask = async (s: Setup, id: string, exitCode: number) => {
    const exited = stateEvent(s.cm, id, 'EXITED');
    s.runtime.exit(id, exitCode);
    await exited;
    assert.equal(s.cm.manager.get(id).state.status, 'EXITED');
  };
  /** Moves time by `ms`, at whose end the policy restart is due, and waits for it: `n` starts in all. */
  const restartsAfter = async (s: Setup, id: string, ms: number, n: number) => {
    const running = stateEvent(s.cm, id, 'RUNNING');
    await s.time.advance(ms);
    await running;
    assert.equal(s.runtime.calls.filter((c) => c === `start ${id}`).length, n);
    assert.equal(s.cm.manager.get(id).state.status, 'RUNNING');
  };
  const mk = async (t: TestContext, policy: unknown, restartDelayMs?: number) => {
    const s = await setup(t, restartDelayMs === undefined ? {} : { restartDelayMs });
    const id = await s.create({ imageRef: 'a:1', start: true, config: { restartPolicy: policy } }, 'createWithConfig');
    return { ...s, id };
  };

  it('no: an exit stays EXITED', async (t) => {
    const s = await mk(t, { type: 'NO' });
    await exitTask(s, s.id, 1);
    await s.time.advance(AFTER_ANY_DELAY_MS);
    await s.bus.idle();
    assert.equal(s.cm.manager.get(s.id).state.status, 'EXITED');
    assert.deepEqual(s.states(s.id), ['RUNNING', 'EXITED']);
  });

  it('always and unless-stopped restart after any exit; a user stop never restarts', async (t) => {
    for (const type of ['ALWAYS', 'UNLESS_STOPPED']) {
      const s = await mk(t, { type });
      await exitTask(s, s.id, 0);
      await restartsAfter(s, s.id, 0, 2);
      assert.equal((await s.call(`Container:${s.id}`, 'stop', {})).status, 204);
      await s.time.advance(AFTER_ANY_DELAY_MS);
      assert.equal(s.cm.manager.get(s.id).state.status, 'STOPPED', `${type}: user stop is final`);
    }
  });

  it('on-failure: restarts non-zero exits up to maxRetryCount within the window, not exit 0', async (t) => {
    const s = await mk(t, { type: 'ON_FAILURE', maxRetryCount: 2, retryTimeout: 60 });
    await exitTask(s, s.id, 1);
    await restartsAfter(s, s.id, 0, 2);
    await exitTask(s, s.id, 1);
    await restartsAfter(s, s.id, 0, 3);
    await exitTask(s, s.id, 1);
    await s.time.advance(AFTER_ANY_DELAY_MS);
    assert.equal(s.cm.manager.get(s.id).state.status, 'EXITED', 'third failure within the window is not restarted');
    assert.equal(s.runtime.calls.filter((c) => c === `start ${s.id}`).length, 3);
    const other = await mk(t, { type: 'ON_FAILURE', maxRetryCount: 2, retryTimeout: 60 });
    await exitTask(other, other.id, 0);
    await other.time.advance(AFTER_ANY_DELAY_MS);
    assert.equal(other.cm.manager.get(other.id).state.status, 'EXITED');
  });

  it('crash loop: the restart delay doubles per quick exit (1 s, 2 s, 4 s) and starts over after a run of 10 s', async (t) => {
    const s = await mk(t, { type: 'ALWAYS' }, 1000);
    let starts = 1;
    const quickExit = async (delayMs: number) => {
      await exitTask(s, s.id, 1);
      await s.time.advance(delayMs - 1);
      assert.equal(s.cm.manager.get(s.id).state.status, 'EXITED', `not restarted before ${delayMs} ms`);
      await restartsAfter(s, s.id, 1, ++starts);
    };
    await quickExit(1000);
    await quickExit(2000);
    await quickExit(4000);
    await s.time.advance(10_000); // this run lasts 10 s
    await quickExit(1000);
  });

  it('daemon restart: loads records, attaches running ones, starts unless-stopped ones that died, leaves user-stopped ones', async (t) => {
    const first = await setup(t);
    const running = await first.create({ imageRef: 'a:1', start: true });
    const died = await first.create({ imageRef: 'b:1', start: true });
    const stopped = await first.create({ imageRef: 'c:1', start: true });
    const never = await first.create({ imageRef: 'd:1', start: true, config: { restartPolicy: { type: 'NO' } } }, 'createWithConfig');
    assert.equal((await first.call(`Container:${stopped}`, 'stop', {})).status, 204);
    await first.cm.close();
    // While the daemon was down: `died` and `never` ended (e.g. reboot); `running` survived.
    first.runtime.containers.get(died)!.task = undefined;
    first.runtime.containers.get(never)!.task = undefined;
    first.runtime.calls.length = 0;
    const second = await setup(t, { runtime: first.runtime, home: first.home });
    assert.equal(second.cm.manager.list().length, 4);
    assert.ok(second.runtime.calls.includes(`attach ${running}`), 'second.runtime.calls.includes(`attach ${running}`)');
    assert.equal(second.cm.manager.get(running).state.status, 'RUNNING');
    assert.equal(second.cm.manager.get(died).state.status, 'RUNNING', 'unless-stopped restarted');
    assert.ok(second.runtime.calls.includes(`start ${died}`), 'second.runtime.calls.includes(`start ${died}`)');
    assert.equal(second.cm.manager.get(stopped).state.status, 'STOPPED');
    assert.equal(second.cm.manager.get(never).state.status, 'EXITED');
    const republished = second.events().filter((e) => e.path.startsWith('/features/Container:') && e.path.split('/').length === 3);
    assert.equal(republished.length, 4, 'every container feature is published for the thing');
  });
});
