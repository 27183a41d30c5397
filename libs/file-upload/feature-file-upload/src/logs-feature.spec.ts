import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { DittoCommand, DittoCommandHandler } from '@ledge/shared/data-access-mqtt';
import type { JournalQuery, JournalReader, JournalRecord } from '@ledge/shared/data-access-journal';
import { JournalUnavailableError } from '@ledge/shared/data-access-journal';
import { createMemoryProvider } from '@ledge/file-upload/model-file-upload/testing';
import { captureLogger, extractTarGz, waitFor } from '@ledge/shared/util/testing';
import type { AskContainerLogs, ContainerLogs } from './container-logs-asker';
import { createLogsFeature } from './logs-feature';

const APPS = ['broker', 'connector', 'file-upload'];
const T0 = Date.parse('2026-12-07T08:00:00Z');
const at = (minute: number) => (T0 + minute * 60_000) * 1000; // µs
const line = (name: string, level: string, msg: string, app?: string) => JSON.stringify({ level, name, ...(app ? { app } : {}), msg });

/** A journal of two per-app units and the all-in-one unit, 08:00 to 08:09, one record a minute each. */
const RECORDS: JournalRecord[] = [
  ...Array.from({ length: 10 }, (_, m) => ({ unit: 'ledge-broker.service', timeUs: at(m), message: line('broker', m % 2 ? 'debug' : 'info', `broker ${m}`) })),
  ...Array.from({ length: 10 }, (_, m) => ({ unit: 'ledge-connector.service', timeUs: at(m), message: line('connector', 'warn', `connector ${m}`) })),
  ...Array.from({ length: 10 }, (_, m) => ({ unit: 'ledge.service', timeUs: at(m), message: line('ledge', 'info', `hosted file-upload ${m}`, 'file-upload') })),
  { unit: 'ledge.service', timeUs: at(3), message: line('ledge', 'info', 'the host itself') },
];

function fakeJournal(records = RECORDS, fail?: Error): JournalReader & { queries: JournalQuery[] } {
  const queries: JournalQuery[] = [];
  return {
    queries,
    async read(q) {
      queries.push(q);
      if (fail) throw fail;
      let out = records.filter((r) => q.units.includes(r.unit) && (q.sinceS === undefined || r.timeUs / 1e6 >= q.sinceS) && (q.untilS === undefined || r.timeUs / 1e6 <= q.untilS));
      if (q.lines !== undefined) out = out.slice(-q.lines);
      return out;
    },
  };
}

function setup(t: TestContext, journal = fakeJournal(), containerLogs?: AskContainerLogs) {
  let handler: DittoCommandHandler | undefined;
  const modifies: { path: string; value: unknown }[] = [];
  const agent = {
    handle(_f: unknown, h: DittoCommandHandler) {
      handler = h;
      return () => (handler = undefined);
    },
    onThing(listener: (thingId: string) => void) {
      listener('demo:gw');
      return () => undefined;
    },
    async modify(path: string, value: unknown) {
      modifies.push({ path, value });
    },
  };
  const provider = createMemoryProvider('generic');
  const feature = createLogsFeature({ agent: agent as never, providers: { generic: provider }, journal, ...(containerLogs ? { containerLogs } : {}), apps: APPS, now: () => T0 + 10 * 60_000, logger: captureLogger().logger });
  t.after(() => feature.close());
  const send = (operation: string, value: unknown) => handler!({ operation, value, featureId: 'Logs', thingId: 'demo:gw', correlationId: undefined, envelope: {} as DittoCommand['envelope'] });
  const states = (cid: string) =>
    modifies
      .filter((m) => m.path === '/features/Logs/properties/lastUpload' && (m.value as { correlationId: string }).correlationId === cid)
      .map((m) => m.value as { state: string; progress: number; lines?: Record<string, number>; containers?: Record<string, number>; message?: string });
  return { feature, send, states, modifies, provider, journal };
}

describe('Logs feature', () => {
  it('registers with its definition once the thing is known', async (t) => {
    const { feature, modifies } = setup(t);
    await feature.start();
    await waitFor(() => modifies.length > 0, 2000);
    assert.deepEqual(modifies[0], { path: '/features/Logs', value: { definition: ['org.eclipse.ledge:Logs:1.0.0'], properties: {} } });
  });

  it('upload: exactly the lines of the window per app (own unit or hosted), filtered by level and grep, uploaded as tar.gz', async (t) => {
    const { feature, send, states, provider } = setup(t);
    await feature.start();
    const value = { correlationId: 'L1', since: '2026-12-07T08:02:00Z', until: '2026-12-07T08:05:00Z', level: 'info', options: { 'memory.key': 'k1' } };
    assert.equal(await send('upload', value), undefined, '204');
    await feature.idle();
    assert.deepEqual(states('L1').map((s) => s.state), ['PENDING', 'UPLOADING', 'SUCCESS']);
    const read = extractTarGz(t, provider.objects.get('k1')!).read;
    const msgs = (name: string) => read(`logs/${name}.log`).trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.deepEqual(msgs('broker'), ['broker 2', 'broker 4'], 'info and above: the debug minutes dropped');
    assert.deepEqual(msgs('connector'), ['connector 2', 'connector 3', 'connector 4', 'connector 5']);
    assert.deepEqual(msgs('file-upload'), ['hosted file-upload 2', 'hosted file-upload 3', 'hosted file-upload 4', 'hosted file-upload 5']);
    assert.deepEqual(states('L1').at(-1)!.lines, { broker: 2, connector: 4, 'file-upload': 4 });
    const request = JSON.parse(read('logs/request.json')) as Record<string, unknown>;
    assert.equal(request['options'], undefined, 'the provider options (credentials) are not in the archive');
    assert.deepEqual([request['since'], request['until']], ['2026-12-07T08:02:00.000Z', '2026-12-07T08:05:00.000Z']);

    await send('upload', { correlationId: 'L2', apps: ['connector'], grep: 'connector 7', lines: 5, options: { 'memory.key': 'k2' } });
    await feature.idle();
    const read2 = extractTarGz(t, provider.objects.get('k2')!).read;
    assert.match(read2('logs/connector.log'), /connector 7/);
    assert.equal(read2('logs/connector.log').trim().split('\n').length, 1);
  });

  it("upload with containers: their lines from container management beside the apps'; a container that gave none is named, not fatal", async (t) => {
    const asked: Parameters<AskContainerLogs>[0][] = [];
    const web = ['{"log":"GET /\\n","stream":"stdout","time":"2026-12-07T08:03:00.000000001Z"}'];
    const ask: AskContainerLogs = async (req) => (asked.push(req), { lines: { web, db: [] }, errors: { db: 'no such container' } });
    const { feature, send, states, provider, journal } = setup(t, fakeJournal(), ask);
    await feature.start();
    await send('upload', { correlationId: 'C1', since: '2026-12-07T08:02:00Z', until: '2026-12-07T08:05:00Z', containers: ['web', 'db'], grep: 'GET', options: { 'memory.key': 'c1' } });
    await feature.idle();
    assert.deepEqual(journal.queries, [], 'only containers asked for: no app logs');
    assert.deepEqual(asked, [{ containers: ['web', 'db'], sinceMs: Date.parse('2026-12-07T08:02:00Z'), untilMs: Date.parse('2026-12-07T08:05:00Z'), grep: 'GET', lines: 1_000_000, maxBytes: 64 * 1024 * 1024 }]);
    const end = states('C1').at(-1)!;
    assert.deepEqual([end.state, end.lines, end.containers, end.message], ['SUCCESS', {}, { web: 1, db: 0 }, 'container db: no such container']);
    const read = extractTarGz(t, provider.objects.get('c1')!).read;
    assert.equal(read('logs/containers/web.log'), `${web[0]}\n`);
    assert.equal(read('logs/containers/db.log'), '');
    assert.deepEqual((JSON.parse(read('logs/request.json')) as { problems: string[] }).problems, ['container db: no such container']);

    // container management away: the apps' logs still go, the containers are named with the reason
    const away = setup(t, fakeJournal(), async () => Promise.reject(new Error('container management did not answer within 30 s: is it running?')));
    await away.feature.start();
    await away.send('upload', { correlationId: 'C2', apps: ['broker'], containers: ['web'], options: { 'memory.key': 'c2' } });
    await away.feature.idle();
    const end2 = away.states('C2').at(-1)!;
    assert.equal(end2.state, 'SUCCESS');
    assert.match(end2.message ?? '', /container web: container management did not answer/);
    assert.ok(extractTarGz(t, away.provider.objects.get('c2')!).read('logs/broker.log').length > 0);
  });

  it('refuses bad requests with 400 and the reason; a second upload while one runs gets 409', async (t) => {
    let release: () => void = () => undefined;
    const slow = fakeJournal();
    const gate = new Promise<void>((r) => (release = r));
    const journal: JournalReader = { read: async (q) => (await gate, slow.read(q)) };
    const { feature, send } = setup(t, journal as never);
    await feature.start();
    const bad: [unknown, RegExp][] = [
      [null, /JSON object/],
      [{}, /correlationId/],
      [{ correlationId: 'x', since: 'yesterday', options: { 'memory.key': 'k' } }, /since/],
      [{ correlationId: 'x', since: '2026-12-07T09:00:00Z', until: '2026-12-07T08:00:00Z', options: { 'memory.key': 'k' } }, /after/],
      [{ correlationId: 'x', apps: ['sshd'], options: { 'memory.key': 'k' } }, /unknown app/],
      [{ correlationId: 'x', containers: [''], options: { 'memory.key': 'k' } }, /containers/],
      [{ correlationId: 'x', containers: 'web', options: { 'memory.key': 'k' } }, /containers/],
      [{ correlationId: 'x', level: 'loud', options: { 'memory.key': 'k' } }, /level/],
      [{ correlationId: 'x', lines: 0, options: { 'memory.key': 'k' } }, /lines/],
      [{ correlationId: 'x', options: {} }, /memory\.key/],
      [{ correlationId: 'x', options: { 'storage.provider': 'ftp' } }, /ftp/],
    ];
    for (const [value, why] of bad) await assert.rejects(send('upload', value), (err: Error) => why.test(err.message), JSON.stringify(value));
    assert.equal(await send('upload', { correlationId: 'first', options: { 'memory.key': 'a' } }), undefined);
    const second = (await send('upload', { correlationId: 'second', options: { 'memory.key': 'b' } })) as { status: number; value: { message: string } };
    assert.equal(second.status, 409);
    assert.match(second.value.message, /first/);
    release();
    await feature.idle();
  });

  it('tail of a container: its last lines from container management inline; 404 for none such; 503 when it does not answer', async (t) => {
    const lines = Array.from({ length: 5 }, (_, i) => `{"log":"line ${i}\\n","stream":"stdout","time":"2026-12-07T08:0${i}:00Z"}`);
    const asked: Parameters<AskContainerLogs>[0][] = [];
    const ask: AskContainerLogs = async (req): Promise<ContainerLogs> => {
      asked.push(req);
      return req.containers[0] === 'web' ? { lines: { web: lines.slice(-req.lines) }, errors: {} } : { lines: {}, errors: { [req.containers[0]!]: 'no such container' } };
    };
    const { feature, send } = setup(t, fakeJournal(), ask);
    await feature.start();
    const r = (await send('tail', { container: 'web', lines: 2 })) as { status: number; value: { container: string; lines: string[]; truncated: boolean } };
    assert.deepEqual([r.status, r.value.container, r.value.lines], [200, 'web', lines.slice(-2)]);
    assert.deepEqual([asked[0]!.lines, asked[0]!.maxBytes, asked[0]!.sinceMs], [2, 64 * 1024, 0]);
    assert.equal(((await send('tail', { container: 'db' })) as { status: number }).status, 404);
    await assert.rejects(send('tail', { container: 'web', app: 'broker' }), /not both/);
    await assert.rejects(send('tail', { container: '' }), /container/);
    const away = setup(t, fakeJournal(), async () => Promise.reject(new Error('container management did not answer within 30 s: is it running?')));
    await away.feature.start();
    const gone = (await away.send('tail', { container: 'web' })) as { status: number; value: { message: string } };
    assert.deepEqual([gone.status, gone.value.message], [503, 'container management did not answer within 30 s: is it running?']);
  });

  it('tail: the last lines of one app inline; 503 without a journal', async (t) => {
    const { feature, send } = setup(t);
    await feature.start();
    const r = (await send('tail', { app: 'file-upload', lines: 3 })) as { status: number; value: { app: string; lines: string[]; truncated: boolean } };
    assert.equal(r.status, 200);
    assert.deepEqual(r.value.lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['hosted file-upload 7', 'hosted file-upload 8', 'hosted file-upload 9']);
    assert.equal(r.value.truncated, true);
    await assert.rejects(send('tail', { app: 'nope' }), /unknown app/);
    const none = setup(t, fakeJournal([], new JournalUnavailableError('journalctl not found: no journald here')));
    await none.feature.start();
    assert.equal(((await none.send('tail', { app: 'broker' })) as { status: number }).status, 503);
  });

  it('a failing provider ends in FAILED with the reason', async (t) => {
    const { feature, send, states, provider } = setup(t);
    provider.upload = async () => {
      throw new Error('HTTP 500 from the sink');
    };
    await feature.start();
    await send('upload', { correlationId: 'F', options: { 'memory.key': 'f' } });
    await feature.idle();
    assert.deepEqual(states('F').map((s) => s.state), ['PENDING', 'UPLOADING', 'FAILED']);
    assert.match(states('F').at(-1)!.message ?? '', /HTTP 500/);
  });
});
