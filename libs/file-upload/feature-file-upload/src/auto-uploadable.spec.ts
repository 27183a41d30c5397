import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { DittoCommand, DittoCommandHandler } from '@ledge/data-access-mqtt';
import type { UploadJob, UploadProvider } from '@ledge/file-upload-model';
import { createMemoryProvider } from '@ledge/file-upload-model/testing';
import { captureLogger, createTempDir, waitFor } from '@ledge/util/testing';
import { createAutoUploadable, type AutoUploadableSettings } from './auto-uploadable';

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

function setup(t: TestContext, over: Partial<AutoUploadableSettings> = {}, providers: Record<string, UploadProvider> = {}, stateDir?: string) {
  const dir = createTempDir(t, 'ledge-fu-unit-');
  mkdirSync(join(dir, 'files'));
  writeFileSync(join(dir, 'files', 'a.log'), 'alpha');
  const settings: AutoUploadableSettings = {
    featureId: 'AutoUploadable', type: 'file', context: 'edge', files: `${dir}/files/*.log`, mode: 'strict', singleUpload: false, checksum: false, delete: false,
    stateDir: stateDir ?? join(dir, 'state'), partSize: 1024, stopTimeoutMs: 100, periodMs: 36_000_000, active: false, activeFrom: undefined, activeTill: undefined, progressIntervalMs: 0, ...over,
  };
  const agent = fakeAgent();
  const memory = createMemoryProvider();
  const f = createAutoUploadable(settings, { agent, providers: { generic: memory, ...providers }, logger: captureLogger('test').logger });
  t.after(() => f.close());
  return { dir, agent, memory, f, settings };
}

describe('AutoUploadable', () => {
  it('periodic triggering fires within [from, to] every period, and stops on deactivate', async (t) => {
    const { agent, f } = setup(t, { periodMs: 40 });
    await f.start();
    await agent.send('activate', { from: new Date(Date.now() - 1000).toISOString(), to: Math.floor(Date.now() / 1000) + 60 });
    const au = agent.modifies.find((m) => m.path === '/features/AutoUploadable/properties/autoUpload')!.value as { active: boolean; startTime: string };
    assert.equal(au.active, true);
    await waitFor(() => agent.messages.length >= 2, 3000, 'two periodic requests');
    assert.equal(agent.messages[0]!.subject, 'request');
    assert.deepEqual(agent.messages[0]!.headers, { 'reply-to': 'command/demo' }, '§6.2: reply-to names the tenant of the identity');
    await agent.send('deactivate', {});
    const n = agent.messages.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(agent.messages.length <= n + 1, 'no more triggers after deactivate');
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

  it('a period longer than a Node timer can wait (720h) is waited for, not fired every millisecond', async (t) => {
    const { agent, f } = setup(t, { periodMs: 720 * 3_600_000 });
    await f.start();
    await agent.send('activate', { from: new Date(Date.now() - 1000).toISOString() });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(agent.messages.length, 0);
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
    const { agent, f } = setup(t, { periodMs: 30 });
    await f.start();
    await agent.send('activate', { from: new Date(Date.now() + 60_000).toISOString() });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(agent.messages.length, 0);
  });

  it('singleUpload refuses a trigger while an upload runs unless force=true', async (t) => {
    let release!: () => void;
    const slow: UploadProvider = { name: 'slow', validate: () => undefined, upload: () => new Promise<void>((r) => (release = r)) };
    const { agent, f } = setup(t, { singleUpload: true }, { slow });
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
    const first = setup(t, {}, { flaky }, stateDir);
    await first.f.start();
    await first.agent.send('trigger', { correlationId: 'r' });
    await first.f.close();
    // a new process: the offered ID is still startable
    const second = setup(t, { files: first.settings.files }, { flaky }, stateDir);
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
