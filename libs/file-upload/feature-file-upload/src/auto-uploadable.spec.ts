import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { DittoCommand, DittoCommandHandler } from '@ledge/shared/data-access-mqtt';
import type { UploadJob, UploadProvider } from '@ledge/file-upload/model-file-upload';
import { createMemoryProvider } from '@ledge/file-upload/model-file-upload/testing';
import { captureLogger, createFakeTime, createTempDir, waitFor } from '@ledge/shared/util/testing';
import { createAutoUploadable, type AutoUploadableDeps, type AutoUploadableSettings } from './auto-uploadable';

/** The feature's time, moved by the test: a fake that starts at the wall clock's now. */
function fakeTime() {
  const time = createFakeTime(Date.now());
  return { time, deps: { now: time.clock.now, scheduler: time.scheduler } };
}

function fakeAgent() {
  let handler: DittoCommandHandler | undefined;
  const modifies: { path: string; value: unknown }[] = [];
  const messages: { featureId: string; subject: string; value: { correlationId: string; options: Record<string, string> }; headers: unknown }[] = [];
  return {
    modifies,
    messages,
    handle(_f: unknown, h: DittoCommandHandler) {
      handler = h;
      return () => (handler = undefined);
    },
    onThing(listener: (thingId: string, identity: { deviceId: string; tenantId: string }) => void) {
      listener('demo:gw', { deviceId: 'demo:gw', tenantId: 'demo' });
      return () => undefined;
    },
    async modify(path: string, value: unknown) {
      modifies.push({ path, value });
    },
    async message(featureId: string, subject: string, value: unknown, headers?: unknown) {
      messages.push({ featureId, subject, value: value as { correlationId: string; options: Record<string, string> }, headers });
    },
    send(operation: string, value: unknown) {
      return handler!({ operation, value, featureId: 'AutoUploadable', thingId: 'demo:gw', correlationId: undefined, envelope: {} as DittoCommand['envelope'] });
    },
    states(cid: string) {
      return modifies.filter((m) => m.path.endsWith('/lastUpload') && (m.value as { correlationId: string }).correlationId === cid).map((m) => m.value as { state: string; progress: number });
    },
  };
}

interface SetupMore {
  readonly providers?: Record<string, UploadProvider>;
  readonly stateDir?: string;
  readonly deps?: Partial<AutoUploadableDeps>;
}

function setup(t: TestContext, over: Partial<AutoUploadableSettings> = {}, { providers = {}, stateDir, deps = {} }: SetupMore = {}) {
  const dir = createTempDir(t, 'ledge-fu-unit-');
  mkdirSync(join(dir, 'files'));
  writeFileSync(join(dir, 'files', 'a.log'), 'alpha');
  const settings: AutoUploadableSettings = {
    featureId: 'AutoUploadable', type: 'file', context: 'edge', files: `${dir}/files/*.log`, mode: 'strict', singleUpload: false, checksum: false, delete: false,
    stateDir: stateDir ?? join(dir, 'state'), partSize: 1024, stopTimeoutMs: 100, periodMs: 36_000_000, active: false, activeFrom: undefined, activeTill: undefined, progressIntervalMs: 0, ...over,
  };
  const agent = fakeAgent();
  const memory = createMemoryProvider();
  const f = createAutoUploadable(settings, { agent, providers: { generic: memory, ...providers }, logger: captureLogger('test').logger, ...deps });
  t.after(() => f.close());
  return { dir, agent, memory, f, settings };
}

describe('AutoUploadable', () => {
  it('periodic triggering fires within [from, to] every period, and stops on deactivate', async (t) => {
    const { time, deps } = fakeTime();
    const { agent, f } = setup(t, { periodMs: 40 }, { deps });
    await f.start();
    await agent.send('activate', { from: new Date(time.clock.now() - 1000).toISOString(), to: Math.floor(time.clock.now() / 1000) + 60 });
    const au = agent.modifies.find((m) => m.path === '/features/AutoUploadable/properties/autoUpload')!.value as { active: boolean; startTime: string };
    assert.equal(au.active, true);
    await time.advance(40);
    await waitFor(() => agent.messages.length === 1, 3000, 'the first periodic request');
    await time.advance(40);
    await waitFor(() => agent.messages.length === 2, 3000, 'the second periodic request');
    assert.equal(agent.messages[0]!.subject, 'request');
    assert.deepEqual(agent.messages[0]!.headers, { 'reply-to': 'command/demo' }, '§6.2: reply-to names the tenant of the identity');
    await agent.send('deactivate', {});
    assert.equal(time.pending(), 0, 'no more triggers after deactivate: no timer armed');
  });

  it('deletes a file after its successful upload with `delete`, and answers unknown operations like Kanto (400 execution.failed)', async (t) => {
    const { agent, f, dir, memory } = setup(t, { delete: true });
    await f.start();
    await agent.send('trigger', { correlationId: 'd' });
    await agent.send('start', { correlationId: 'd#1', options: { 'memory.key': 'k' } });
    await waitFor(() => agent.states('d#1').find((s) => s.state === 'SUCCESS'));
    assert.equal(memory.objects.get('k')?.toString(), 'alpha');
    await waitFor(() => !existsSync(join(dir, 'files', 'a.log')), 2000, 'file deleted');
    assert.deepEqual(await agent.send('bogus', {}), { status: 400, value: { status: 400, error: 'messages:execution.failed', message: "unsupported operation 'bogus'" } });
  });

  it('a period longer than a Node timer can wait (720h) is waited for in full, not cut short at the timer\'s limit', async (t) => {
    // The periodic action counted as it starts (onTick replaces the trigger), so "not yet" is known at once.
    const { time, deps } = fakeTime();
    let ticks = 0;
    const { agent, f } = setup(t, { periodMs: 720 * 3_600_000 }, { deps: { ...deps, extension: { onTick: async () => void ticks++ } } });
    await f.start();
    await agent.send('activate', { from: new Date(time.clock.now() - 1000).toISOString() });
    await time.advance(150);
    assert.equal(ticks, 0, 'not fired after 150 ms');
    await time.advance(720 * 3_600_000 - 151);
    assert.equal(ticks, 0, 'not fired 1 ms before the period');
    await time.advance(1);
    assert.equal(ticks, 1, 'fired once the 720 h have passed');
  });

  it('activate refuses times a Date cannot hold with 400, not a 500', async (t) => {
    const { agent, f } = setup(t);
    await f.start();
    for (const to of [1e308, 8.64e15 + 1, -1, '275761-01-01T00:00:00Z']) {
      await assert.rejects(agent.send('activate', { from: new Date().toISOString(), to }), (e: unknown) => (e as { code?: string }).code === 'LEDGE_FU_PARAMETER_INVALID', String(to));
    }
    await agent.send('activate', { from: new Date().toISOString(), to: 8.64e15 });
  });

  it('does not fire before `from`', async (t) => {
    const { time, deps } = fakeTime();
    let ticks = 0;
    const { agent, f } = setup(t, { periodMs: 30 }, { deps: { ...deps, extension: { onTick: async () => void ticks++ } } });
    await f.start();
    await agent.send('activate', { from: new Date(time.clock.now() + 60_000).toISOString() });
    await time.advance(150);
    assert.equal(ticks, 0, 'five periods passed before `from`, none fired');
    await time.advance(60_000);
    assert.ok(ticks > 0, 'fires once `from` has passed');
  });

  it('singleUpload refuses a trigger while an upload runs unless force=true', async (t) => {
    let release!: () => void;
    const slow: UploadProvider = { name: 'slow', validate: () => undefined, upload: () => new Promise<void>((r) => (release = r)) };
    const { agent, f } = setup(t, { singleUpload: true }, { providers: { slow } });
    await f.start();
    await agent.send('trigger', { correlationId: 'a' });
    await agent.send('start', { correlationId: 'a#1', options: { 'storage.provider': 'slow' } });
    await assert.rejects(agent.send('trigger', {}), (e: unknown) => (e as { code?: string }).code === 'LEDGE_FU_UPLOAD_IN_PROGRESS');
    await agent.send('trigger', { correlationId: 'b', options: { force: 'true' } });
    release();
    await waitFor(() => agent.states('a#1').find((s) => s.state === 'SUCCESS'));
  });

  it('keeps offered uploads across a restart and resumes a failed upload from its on-disk checkpoint', async (t) => {
    const stateDir = createTempDir(t, 'ledge-fu-state-');
    const seen: unknown[] = [];
    let fail = true;
    const flaky: UploadProvider = {
      name: 'flaky',
      validate: () => undefined,
      async upload(job: UploadJob) {
        seen.push(await job.checkpoint!.load());
        await job.checkpoint!.save({ uploadId: 'u-1', parts: 2 });
        job.onProgress(3);
        if (fail) throw new Error('connection reset');
        job.onProgress(job.source.size);
      },
    };
    const first = setup(t, {}, { providers: { flaky }, stateDir });
    await first.f.start();
    await first.agent.send('trigger', { correlationId: 'r' });
    await first.f.close();
    // a new process: the offered ID is still startable
    const second = setup(t, { files: first.settings.files }, { providers: { flaky }, stateDir });
    await second.f.start();
    assert.ok(second.f.pending.has('r#1'));
    await second.agent.send('start', { correlationId: 'r#1', options: { 'storage.provider': 'flaky' } });
    await waitFor(() => second.agent.states('r#1').find((s) => s.state === 'FAILED'));
    fail = false;
    await second.agent.send('start', { correlationId: 'r#1', options: { 'storage.provider': 'flaky' } });
    await waitFor(() => second.agent.states('r#1').find((s) => s.state === 'SUCCESS'));
    assert.deepEqual(seen, [undefined, { uploadId: 'u-1', parts: 2 }], 'the retry saw the first attempt\'s checkpoint');
    const progress = second.agent.states('r#1').map((s) => s.progress);
    assert.equal(progress.at(-1), 100);
  });
});
