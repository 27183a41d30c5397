// `ledge um` on the fake local bus against a stand-in update manager that answers as Kanto's does:
// output, exit codes (0 COMPLETED, 1 other final status or no answer, 2 usage or a bad file), topics, and
// the account it logs in with (packaged, dev directory, or what the user set).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import yargs from 'yargs';
import type { LocalBusClientOptions } from '@ledge/shared/data-access-mqtt';
import { createFakeLocalBus, type FakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { envelope, parseEnvelope } from '@ledge/shared/model-update';
import { createTempDir } from '@ledge/shared/util/testing';
import { umCommand, type UmDeps, type UmIo } from './command';

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

interface Run {
  files?: Record<string, string>;
  stdin?: string;
  signal?: AbortSignal;
  env?: Record<string, string>;
  /** Over the defaults: no packaged password file, no dev directory, no config files. */
  deps?: Pick<UmDeps, 'packagedPasswordFile' | 'defaultDevDir' | 'configDir'>;
  /** Called once a subscription of the command's client is in place. */
  onSubscribed?: (filters: string | readonly string[]) => void;
}

async function ledge(bus: FakeLocalBus, args: string[], o: Run = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const connected: Pick<LocalBusClientOptions, 'username' | 'password'>[] = [];
  let code = 0;
  const io: UmIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: o.env ?? {},
    setExitCode: (c) => void (code = c),
    readFile: (p) => {
      if (o.files?.[p] === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return o.files[p]!;
    },
    readStdin: async () => o.stdin ?? '',
  };
  let n = 0;
  const cli = umCommand(yargs(args).scriptName('ledge'), io, {
    connect: (opts) => {
      connected.push({ ...(opts.username !== undefined ? { username: opts.username } : {}), ...(opts.password !== undefined ? { password: opts.password } : {}) });
      const client = bus.createClient({ clientId: opts.clientId });
      const subscribe = client.subscribe.bind(client);
      client.subscribe = async (filters, options) => {
        await subscribe(filters, options);
        o.onSubscribed?.(filters);
      };
      return client;
    },
    now: () => 1_700_000_000_000,
    newActivityId: () => `act-${++n}`,
    configDir: '/nonexistent',
    packagedPasswordFile: '/nonexistent/secrets/update-manager.password',
    defaultDevDir: '/nonexistent/.ledge-dev',
    ...o.deps,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  await cli
    .strict()
    .exitProcess(false)
    .fail((msg, e) => {
      if (e) throw e;
      err.push(`ledge: ${msg}\n`);
      code = 2;
    })
    .parseAsync();
  return { out: out.join(''), err: err.join(''), code, connected };
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
    let listening!: () => void;
    const subscribed = new Promise<void>((r) => (listening = r));
    const watching = ledge(bus, ['um', 'watch', '--activity-id', 'a7'], { signal: stop.signal, onSubscribed: () => listening() });
    await subscribed; // the feedback from now on reaches it
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

/** A password file holding `password`, and the dev directory `ledge run --dev` would have written it in. */
function secrets(t: TestContext) {
  const root = createTempDir(t);
  const file = (path: string, password: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), `${password}\n`, { mode: 0o600 });
    return join(root, path);
  };
  return { root, file };
}

describe('ledge um: the account it logs in with (the broker takes desired states and consents from ledge-update-manager alone)', () => {
  const manager = (password: string) => [{ username: 'ledge-update-manager', password }];
  /** The bus with a stand-in update manager, and a secrets tree holding the packaged password file. */
  const accounts = async (t: TestContext) => {
    const bus = createFakeLocalBus();
    await standInManager(t, bus);
    const s = secrets(t);
    return { bus, s, packaged: s.file('etc/secrets/update-manager.password', 'packaged-secret') };
  };

  it("none set: the update manager's packaged password file when readable (a gateway, as root), else the default dev directory's", async (t) => {
    const { bus, s, packaged } = await accounts(t);
    s.file('.ledge-dev/secrets/update-manager.password', 'dev-secret');
    const both = await ledge(bus, ['um', 'current'], { deps: { packagedPasswordFile: packaged, defaultDevDir: join(s.root, '.ledge-dev') } });
    assert.deepEqual([both.code, both.connected], [0, manager('packaged-secret')]);
    // not root: the packaged file is unreadable (missing here), `npm start`'s copy in .ledge-dev is taken
    const dev = await ledge(bus, ['um', 'current'], { deps: { packagedPasswordFile: join(s.root, 'none.password'), defaultDevDir: join(s.root, '.ledge-dev') } });
    assert.deepEqual([dev.code, dev.connected], [0, manager('dev-secret')]);
    const neither = await ledge(bus, ['um', 'current']);
    assert.deepEqual([neither.code, neither.connected], [0, [{}]], 'anonymous: reading the current state needs no account');
  });

  it('--dev-dir or LEDGE_DEV_DIR: <dir>/secrets/update-manager.password, before the packaged one; a dev directory without it is exit 2', async (t) => {
    const { bus, s, packaged } = await accounts(t);
    s.file('flag/secrets/update-manager.password', 'flag-secret');
    s.file('env/secrets/update-manager.password', 'env-secret');
    const deps = { packagedPasswordFile: packaged };
    assert.deepEqual((await ledge(bus, ['um', 'current', '--dev-dir', join(s.root, 'flag')], { deps, env: { LEDGE_DEV_DIR: join(s.root, 'env') } })).connected, manager('flag-secret'));
    assert.deepEqual((await ledge(bus, ['um', 'current'], { deps, env: { LEDGE_DEV_DIR: join(s.root, 'env') } })).connected, manager('env-secret'));
    const missing = await ledge(bus, ['um', 'apply', 'ds.json', '--dev-dir', join(s.root, 'nothing')], { deps, files: { 'ds.json': JSON.stringify(DESIRED) } });
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--dev-dir .*nothing: cannot read .*nothing\/secrets\/update-manager\.password \(ENOENT\); `ledge run --dev --dev-dir .*nothing` writes it/);
    assert.deepEqual(missing.connected, [], 'nothing was sent');
  });

  it('what the user set wins: LEDGE_UM_LOCAL_USERNAME / _PASSWORD_FILE, /etc/ledge/um.json; a password alone is the update manager\'s', async (t) => {
    const { bus, s, packaged } = await accounts(t);
    const deps = { packagedPasswordFile: packaged, defaultDevDir: join(s.root, 'flag') };
    s.file('flag/secrets/update-manager.password', 'flag-secret');
    const mine = s.file('mine.password', 'alice-secret');
    const env = await ledge(bus, ['um', 'current', '--dev-dir', join(s.root, 'flag')], { deps, env: { LEDGE_UM_LOCAL_USERNAME: 'alice', LEDGE_UM_LOCAL_PASSWORD_FILE: mine } });
    assert.deepEqual([env.code, env.connected], [0, [{ username: 'alice', password: 'alice-secret' }]]);
    const configDir = join(s.root, 'etc');
    writeFileSync(join(configDir, 'um.json'), JSON.stringify({ localUsername: 'bob', localPassword: 'bob-secret' }));
    assert.deepEqual((await ledge(bus, ['um', 'current'], { deps: { ...deps, configDir } })).connected, [{ username: 'bob', password: 'bob-secret' }]);
    const alone = await ledge(bus, ['um', 'current'], { deps, env: { LEDGE_UM_LOCAL_PASSWORD_FILE: mine } });
    assert.deepEqual(alone.connected, manager('alice-secret'));
  });

  it('no answer: the message names the likely cause when ledge um has no account or another one (the broker drops such a publish and still acknowledges it)', async () => {
    const bus = createFakeLocalBus(); // no update manager: the same silence as a dropped desired state
    const files = { 'ds.json': JSON.stringify(DESIRED) };
    const none = await ledge(bus, ['um', 'apply', 'ds.json', '--timeout', '0.1'], { files });
    assert.equal(none.code, 1);
    assert.match(none.err, /no answer from the update manager on deviceupdate\/desiredstatefeedback within 0\.1 s; likely cause: ledge um has no account/);
    assert.match(none.err, /cannot read \/nonexistent\/secrets\/update-manager\.password \(ENOENT\) nor \/nonexistent\/\.ledge-dev\/secrets\/update-manager\.password \(ENOENT\)/);
    assert.match(none.err, /run it as root \(sudo ledge um …\), or set LEDGE_UM_LOCAL_USERNAME and LEDGE_UM_LOCAL_PASSWORD_FILE, or give --dev-dir under `ledge run --dev`; else is ledge-update-manager running/);
    const alice = await ledge(bus, ['um', 'apply', 'ds.json', '--timeout', '0.1'], { files, env: { LEDGE_UM_LOCAL_USERNAME: 'alice', LEDGE_UM_LOCAL_PASSWORD: 'x' } });
    assert.match(alice.err, /likely cause: ledge um logs in as alice, and Ledge's broker takes a desired state or a consent from ledge-update-manager alone/);
    const asManager = await ledge(bus, ['um', 'apply', 'ds.json', '--timeout', '0.1'], { files, env: { LEDGE_UM_LOCAL_PASSWORD: 'x' } });
    assert.match(asManager.err, /within 0\.1 s; is ledge-update-manager running \(ledge status\)\?\n$/);
    const consent = await ledge(bus, ['um', 'consent', 'a1', 'APPROVED']);
    assert.equal(consent.code, 0);
    assert.match(consent.err, /ledge um consent: sent, but the update manager may never see it: ledge um has no account/);
  });
});
