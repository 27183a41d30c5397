// `ledge um` on the fake local bus against a stand-in update manager that answers as Kanto's does:
// output, exit codes (0 COMPLETED, 1 other final status or no answer, 2 usage or a bad file), topics.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import yargs from 'yargs';
import { createFakeLocalBus, type FakeLocalBus } from '@ledge/data-access-mqtt/testing';
import { envelope, parseEnvelope } from '@ledge/update-model';
import { umCommand, type UmIo } from './command';

const DESIRED = { domains: [{ id: 'containers', components: [{ id: 'hello', version: '1.0' }] }] };
const INVENTORY = {
  softwareNodes: [
    { id: 'device-update-manager', version: '1.2.3', name: 'Update Manager', type: 'APPLICATION' },
    { id: 'containers-update-agent', version: '1.0', type: 'APPLICATION', parameters: [{ key: 'domain', value: 'containers' }] },
    { id: 'containers:hello', version: '1.0', type: 'CONTAINER' },
  ],
  associations: [
    { sourceId: 'device-update-manager', targetId: 'containers-update-agent' },
    { sourceId: 'containers-update-agent', targetId: 'containers:hello' },
  ],
};

/** Answers desired states with `final` after the usual statuses, and current-state gets with INVENTORY. */
async function standInManager(t: TestContext, bus: FakeLocalBus, o: { final?: string; answersGet?: boolean } = {}) {
  const c = bus.createClient({ clientId: 'manager' });
  await c.start();
  t.after(() => c.close());
  const got: { topic: string; activityId: string; payload: unknown }[] = [];
  const send = (topic: string, activityId: string, payload: unknown, retain = false) => c.publish(topic, JSON.stringify(envelope(activityId, payload, 1)), { qos: 1, retain });
  c.onMessage('deviceupdate/#', async (topic, payload) => {
    const env = parseEnvelope(payload, { allowEmptyActivity: true });
    if (!env.ok || topic === 'deviceupdate/desiredstatefeedback' || topic === 'deviceupdate/currentstate') return;
    got.push({ topic, activityId: env.envelope.activityId, payload: env.envelope.payload });
    if (topic === 'deviceupdate/desiredstate') {
      for (const status of ['IDENTIFYING', 'IDENTIFIED', 'RUNNING', o.final ?? 'COMPLETED']) {
        await send('deviceupdate/desiredstatefeedback', 'someone-else', { status: 'RUNNING' });
        await send('deviceupdate/desiredstatefeedback', env.envelope.activityId, {
          status,
          ...(status === 'INCOMPLETE' ? { message: 'containers: UPDATE_FAILURE: no space' } : {}),
          actions: [{ component: { id: 'containers:hello', version: '1.0' }, status: status === 'RUNNING' ? 'DOWNLOADING' : 'UPDATE_SUCCESS', ...(status === 'RUNNING' ? { progress: 40 } : {}) }],
        });
      }
    }
    if (topic === 'deviceupdate/currentstate/get' && o.answersGet !== false) await send('deviceupdate/currentstate', env.envelope.activityId, INVENTORY, true);
  });
  await c.subscribe('deviceupdate/#', { qos: 1 });
  return { got, send };
}

async function ledge(bus: FakeLocalBus, args: string[], o: { files?: Record<string, string>; stdin?: string; signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const io: UmIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: {},
    setExitCode: (c) => void (code = c),
    readFile: (p) => {
      if (o.files?.[p] === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return o.files[p]!;
    },
    readStdin: async () => o.stdin ?? '',
  };
  let n = 0;
  const cli = umCommand(yargs(args).scriptName('ledge'), io, { connect: (opts) => bus.createClient({ clientId: opts.clientId }), now: () => 1_700_000_000_000, newActivityId: () => `act-${++n}`, configDir: '/nonexistent', ...(o.signal ? { signal: o.signal } : {}) });
  await cli
    .strict()
    .exitProcess(false)
    .fail((msg, e) => {
      if (e) throw e;
      err.push(`ledge: ${msg}\n`);
      code = 2;
    })
    .parseAsync();
  return { out: out.join(''), err: err.join(''), code };
}

describe('ledge um apply', () => {
  it('publishes the desired state with a fresh activityId and prints the feedback until COMPLETED (exit 0)', async (t) => {
    const bus = createFakeLocalBus();
    const m = await standInManager(t, bus);
    const r = await ledge(bus, ['um', 'apply', 'ds.json'], { files: { 'ds.json': JSON.stringify(DESIRED) } });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(m.got, [{ topic: 'deviceupdate/desiredstate', activityId: 'act-1', payload: DESIRED }]);
    assert.equal(bus.published.find((p) => p.topic === 'deviceupdate/desiredstate')?.qos, 1);
    assert.equal(r.err, 'activity act-1\n');
    assert.equal(
      r.out,
      ['IDENTIFYING', '  containers:hello@1.0 UPDATE_SUCCESS', 'IDENTIFIED', '  containers:hello@1.0 UPDATE_SUCCESS', 'RUNNING', '  containers:hello@1.0 DOWNLOADING 40%', 'COMPLETED', '  containers:hello@1.0 UPDATE_SUCCESS', ''].join('\n'),
    );
  });

  it('exit 1 with the reason for another final status; --json prints JSON lines; stdin and an envelope\'s activityId', async (t) => {
    const bus = createFakeLocalBus();
    await standInManager(t, bus, { final: 'INCOMPLETE' });
    const r = await ledge(bus, ['um', 'apply', '-', '--json'], { stdin: JSON.stringify({ activityId: 'mine', timestamp: 1, payload: DESIRED }) });
    assert.equal(r.code, 1, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { activityId: string; status: string; message?: string });
    assert.deepEqual(lines.map((l) => [l.activityId, l.status]).at(-1), ['mine', 'INCOMPLETE']);
    assert.equal(lines.at(-1)?.message, 'containers: UPDATE_FAILURE: no space');
  });

  it('a file that does not parse: exit 2 listing every problem by field; nothing is published', async (t) => {
    const bus = createFakeLocalBus();
    const m = await standInManager(t, bus);
    const bad = { domains: [{ id: 'containers', components: [{ id: 'a', parameters: [] }, { version: 1 }] }] };
    const r = await ledge(bus, ['um', 'apply', 'bad.json'], { files: { 'bad.json': JSON.stringify(bad), 'x.json': '{"domains": [' } });
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      "ledge um apply: bad.json is not a valid desired state:\n  desiredState.domains[0].components[0]: unknown key 'parameters' (did you mean 'config'?)\n  desiredState.domains[0].components[1].id: missing\n  desiredState.domains[0].components[1].version: not a string\n",
    );
    assert.match((await ledge(bus, ['um', 'apply', 'x.json'], { files: { 'x.json': '{"domains": [' } })).err, /x\.json is not JSON/);
    const missing = await ledge(bus, ['um', 'apply', 'nope.json']);
    assert.deepEqual([missing.code, missing.err], [2, 'ledge um apply: cannot read nope.json (ENOENT)\n']);
    assert.equal(m.got.length, 0);
  });

  it('no update manager: exit 1 naming the topic; no broker: exit 1; bad flags: exit 2', async () => {
    const bus = createFakeLocalBus();
    const r = await ledge(bus, ['um', 'apply', 'ds.json', '--timeout', '0.2'], { files: { 'ds.json': JSON.stringify(DESIRED) } });
    assert.equal(r.code, 1);
    assert.match(r.err, /no answer from the update manager on deviceupdate\/desiredstatefeedback within 0\.2 s/);
    bus.setOnline(false);
    const down = await ledge(bus, ['um', 'current', '--timeout', '0.2']);
    assert.deepEqual([down.code, /cannot reach the local broker at tcp:\/\/127\.0\.0\.1:1883/.test(down.err)], [1, true]);
    assert.equal((await ledge(bus, ['um', 'apply', 'ds.json', '--timeout', '-1'])).code, 2);
    assert.equal((await ledge(bus, ['um', 'apply', 'ds.json', '--bogus'])).code, 2);
    assert.equal((await ledge(bus, ['um', 'current', '--domain', 'a/b'])).code, 2);
    assert.equal((await ledge(bus, ['um', 'current', '--address', 'nonsense'])).code, 2);
    assert.equal((await ledge(bus, ['um'])).code, 2);
  });
});

describe('ledge um current, watch, consent', () => {
  it('current asks with a fresh activityId and prints the inventory as a tree (or JSON)', async (t) => {
    const bus = createFakeLocalBus();
    const m = await standInManager(t, bus);
    const r = await ledge(bus, ['um', 'current']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(m.got, [{ topic: 'deviceupdate/currentstate/get', activityId: 'act-1', payload: null }]);
    assert.equal(r.out, 'device-update-manager 1.2.3 Update Manager (APPLICATION)\n  containers-update-agent 1.0 (APPLICATION)\n    containers:hello 1.0 (CONTAINER)\n');
    assert.deepEqual(JSON.parse((await ledge(bus, ['um', 'current', '--json'])).out), INVENTORY);
  });

  it('current without an answer takes the retained state with a warning, or fails when there is none', async (t) => {
    const bus = createFakeLocalBus();
    const none = await ledge(bus, ['um', 'current', '--timeout', '0.1']);
    assert.deepEqual([none.code, /no current state/.test(none.err)], [1, true]);
    const m = await standInManager(t, bus, { answersGet: false });
    await m.send('deviceupdate/currentstate', 'earlier', INVENTORY, true);
    const r = await ledge(bus, ['um', 'current', '--timeout', '0.1']);
    assert.equal(r.code, 0);
    assert.match(r.err, /did not answer in time; this is the last current state it reported/);
    assert.match(r.out, /containers:hello/);
  });

  it('watch streams every activity\'s feedback (or one with --activity-id) until stopped', async (t) => {
    const bus = createFakeLocalBus();
    const m = await standInManager(t, bus);
    const stop = new AbortController();
    const watching = ledge(bus, ['um', 'watch', '--activity-id', 'a7'], { signal: stop.signal });
    await new Promise((r) => setTimeout(r, 20));
    await m.send('deviceupdate/desiredstatefeedback', 'a7', { status: 'RUNNING', actions: [{ component: { id: 'containers:hello' }, status: 'UPDATING', progress: 10 }] });
    await m.send('deviceupdate/desiredstatefeedback', 'a8', { status: 'COMPLETED' });
    await m.send('deviceupdate/desiredstatefeedback', 'a7', { status: 'INCOMPLETE', message: 'the owner denied UPDATE' });
    await bus.flush();
    stop.abort();
    const r = await watching;
    assert.equal(r.code, 0);
    assert.equal(r.out, '[a7] RUNNING\n[a7]   containers:hello UPDATING 10%\n[a7] INCOMPLETE: the owner denied UPDATE\n');
  });

  it('consent answers as an HMI does; anything but APPROVED or DENIED is exit 2', async (t) => {
    const bus = createFakeLocalBus();
    const m = await standInManager(t, bus);
    assert.equal((await ledge(bus, ['um', 'consent', 'a1', 'approved'])).code, 0);
    await bus.flush();
    assert.deepEqual(m.got, [{ topic: 'deviceupdate/ownerconsentfeedback', activityId: 'a1', payload: { status: 'APPROVED' } }]);
    assert.equal((await ledge(bus, ['um', 'consent', 'a1', 'maybe'])).code, 2);
  });
});
