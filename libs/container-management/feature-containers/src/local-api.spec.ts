import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { ContainerRuntime, LogLine } from '@ledge/container-management/model-containers';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createLocalApi } from './local-api';
import { httpStatusOf, matchRoute, parseCreateBody } from './local-api-routes';
import { createContainerManager } from './manager';
import { createContainerStore } from './store';
import { createMemoryRuntime } from './testing/memory-runtime';
import { InvalidArgumentError, NotFoundError, AlreadyExistsError, FailedPreconditionError, UnavailableError } from '@ledge/shared/util';

interface Reply {
  status: number;
  type: string;
  text: string;
  json: () => Record<string, unknown>;
  lines: () => Record<string, unknown>[];
}

function call(socketPath: string, method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: body !== undefined ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
          lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function setup(t: TestContext, runtimeOverride?: (rt: ContainerRuntime) => ContainerRuntime) {
  const dir = createTempDir(t);
  const memory = createMemoryRuntime();
  const runtime = runtimeOverride ? runtimeOverride(memory) : memory;
  const log = captureLogger('test', 'debug');
  const manager = createContainerManager({ runtime, store: createContainerStore(join(dir, 'home')), logger: log.logger, restartDelayMs: 0, defaultStopTimeoutMs: 1000 });
  await manager.start();
  const socketPath = join(dir, 'run', 'cm.sock');
  // No drain after an exit: the stand-in logs below have their output out before the exit (containerd's trails it).
  const api = createLocalApi({ socketPath, manager, runtime, logger: log.logger, version: '1.2.3', progressIntervalMs: 0, exitDrainMs: 0 });
  await api.start();
  t.after(async () => {
    await api.close();
    await manager.close();
  });
  return { api, manager, memory, socketPath, dir, log };
}

describe('local API routes (pure)', () => {
  const cases: [string, string, Record<string, unknown> | undefined][] = [
    ['GET', '/v1/containers', { name: 'list' }],
    ['POST', '/v1/containers', { name: 'create' }],
    ['GET', '/v1/containers/web', { name: 'get', ref: 'web' }],
    ['DELETE', '/v1/containers/web?force=1', { name: 'remove', ref: 'web' }],
    ['POST', '/v1/containers/a%20b/stop', { name: 'action', ref: 'a b', action: 'stop' }],
    ['GET', '/v1/containers/web/logs?tail=5', { name: 'logs', ref: 'web' }],
    ['GET', '/v1/sysinfo', { name: 'sysinfo' }],
    ['POST', '/v1/containers/web/explode', undefined],
    ['PUT', '/v1/containers', undefined],
    ['GET', '/v2/containers', undefined],
    ['GET', '/v1/containers//start', undefined],
    ['GET', '/v1/containers/%E0%A4%A/logs', undefined],
  ];
  for (const [method, url, want] of cases) {
    it(`${method} ${url} → ${want ? String(want['name']) : 'no route'}`, () => {
      const r = matchRoute(method, url);
      if (want === undefined) return assert.equal(r, undefined);
      assert.ok(r);
      for (const [k, v] of Object.entries(want)) assert.equal((r as unknown as Record<string, unknown>)[k], v);
    });
  }

  it('maps error kinds to 400/404/409/500', () => {
    assert.equal(httpStatusOf(new InvalidArgumentError('X', 'x')), 400);
    assert.equal(httpStatusOf(new NotFoundError('X', 'x')), 404);
    assert.equal(httpStatusOf(new AlreadyExistsError('X', 'x')), 409);
    assert.equal(httpStatusOf(new FailedPreconditionError('X', 'x')), 409);
    assert.equal(httpStatusOf(new UnavailableError('X', 'x')), 500);
    assert.equal(httpStatusOf(new Error('boom')), 500);
  });

  it('create body: bare descriptor or {descriptor,start,named}; a missing name is derived, not "named"', () => {
    const bare = parseCreateBody({ container_name: 'web', image: { name: 'reg/x/nginx:1' } }, new URLSearchParams('start=1'));
    assert.deepEqual([bare.config.name, bare.named, bare.start], ['web', true, true]);
    const derived = parseCreateBody({ descriptor: { image: { name: 'reg/x/nginx:1' } }, start: false }, new URLSearchParams());
    assert.deepEqual([derived.config.name, derived.named, derived.start], ['nginx', false, false]);
    assert.throws(() => parseCreateBody({ descriptor: 'nope' }, new URLSearchParams()), /descriptor must be an object/);
    assert.throws(() => parseCreateBody({ container_name: 'web' }, new URLSearchParams()), /image.name/);
  });
});

describe('local API over a unix socket', () => {
  it('serves create (NDJSON) → list → get by name → stop → remove, errors as {code,message}', async (t) => {
    const { socketPath } = await setup(t);
    const created = await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ descriptor: { container_name: 'web', image: { name: 'reg/test/app:1' } }, start: true, named: true }));
    assert.equal(created.status, 201);
    assert.equal(created.type, 'application/x-ndjson');
    const last = created.lines().at(-1) as { container: { id: string; name: string; state: { status: string } } };
    assert.equal(last.container.name, 'web');
    assert.equal(last.container.state.status, 'RUNNING');
    const id = last.container.id;

    const list = (await call(socketPath, 'GET', '/v1/containers')).json() as { containers: { id: string }[] };
    assert.deepEqual(list.containers.map((c) => c.id), [id]);
    assert.equal(((await call(socketPath, 'GET', '/v1/containers/web')).json()['container'] as { id: string }).id, id);

    const again = await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ descriptor: { container_name: 'web', image: { name: 'reg/test/app:1' } }, named: true }));
    assert.equal(again.status, 409);
    assert.equal(again.json()['code'], 'LEDGE_CM_NAME_IN_USE');

    const removeRunning = await call(socketPath, 'DELETE', `/v1/containers/${id}`);
    assert.equal(removeRunning.status, 409);
    assert.equal(removeRunning.json()['code'], 'LEDGE_CM_REMOVE_RUNNING');

    const stopped = await call(socketPath, 'POST', `/v1/containers/${id}/stop`, JSON.stringify({ timeout: 1 }));
    assert.equal(stopped.status, 200);
    assert.equal((stopped.json()['container'] as { state: { status: string } }).state.status, 'STOPPED');
    assert.equal((await call(socketPath, 'POST', `/v1/containers/${id}/rename`, '{"name":"web2"}')).status, 200);
    const upd = await call(socketPath, 'POST', '/v1/containers/web2/update', JSON.stringify({ restartPolicy: { type: 'on-failure', maxRetryCount: 3 }, resources: { memory: '64M' } }));
    assert.equal(upd.status, 200, upd.text);
    assert.equal((await call(socketPath, 'DELETE', '/v1/containers/web2')).status, 200);
    const gone = await call(socketPath, 'GET', `/v1/containers/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json()['code'], 'LEDGE_CM_CONTAINER_NOT_FOUND');
  });

  it('refuses garbage without crashing: bad JSON, bad descriptor, unknown route, bad tail, huge body', async (t) => {
    const { socketPath } = await setup(t);
    const bad = await call(socketPath, 'POST', '/v1/containers', '{not json');
    assert.equal(bad.status, 400);
    assert.equal(bad.json()['code'], 'LEDGE_CM_API_BAD_REQUEST');
    const invalid = await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ container_name: '-bad', image: { name: 'x' } }));
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json()['code'], 'LEDGE_CM_INVALID_REQUEST');
    const nope = await call(socketPath, 'GET', '/v1/nope');
    assert.equal(nope.status, 404);
    assert.deepEqual(nope.json(), { code: 'LEDGE_CM_API_NO_ROUTE', message: 'no route GET /v1/nope' });
    assert.equal((await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ container_name: 'a', image: { name: 'x' } }))).status, 201);
    assert.equal((await call(socketPath, 'GET', '/v1/containers/a/logs?tail=abc')).status, 400);
    assert.equal((await call(socketPath, 'POST', '/v1/containers/a/stop', '{"signal":"NOT A SIGNAL!"}')).status, 400);
    assert.equal((await call(socketPath, 'POST', '/v1/containers/a/rename', '{"name":"bad name"}')).status, 400);
    // Over 1 MiB: either a 400 or the connection is cut mid-upload; the daemon goes on either way.
    const huge: Reply | string = await call(socketPath, 'POST', '/v1/containers', `"${'x'.repeat(2 * 1024 * 1024)}"`).catch((err: NodeJS.ErrnoException) => String(err.code));
    assert.ok(typeof huge === 'string' || huge.status === 400);
    await new Promise<void>((resolve) => {
      const raw = connect(socketPath, () => raw.end('\x00\x01 not HTTP at all\r\n\r\n'));
      raw.on('error', () => resolve());
      raw.on('close', () => resolve());
      raw.resume();
    });
    assert.equal((await call(socketPath, 'GET', '/v1/sysinfo')).status, 200, 'still serving');
  });

  it('pull progress is streamed as NDJSON; a pull failing after it ends with an {error} line (LEDGE_CM_IMAGE_PULL_FAILED)', async (t) => {
    const { socketPath, memory } = await setup(t, (rt) => ({
      ...rt,
      async pullImage(ref, opts) {
        opts?.onProgress?.({ ref, totalBytes: 100, doneBytes: 40, layers: [] });
        opts?.onProgress?.({ ref, totalBytes: 100, doneBytes: 100, layers: [] });
        return rt.pullImage(ref, opts);
      },
    }));
    memory.missingImages.add('reg/none:1');
    const failed = await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ container_name: 'n', image: { name: 'reg/none:1' } }));
    assert.equal(failed.status, 201, 'progress was streamed before the failure');
    const lines = failed.lines();
    assert.equal((lines[0]!['progress'] as { doneBytes: number }).doneBytes, 40);
    assert.equal((lines.at(-1)!['error'] as { code: string }).code, 'LEDGE_CM_IMAGE_PULL_FAILED');
  });

  it('logs: tail as NDJSON or text; follow ends when the client goes', { timeout: 10_000 }, async (t) => {
    let sawAbort!: () => void;
    const aborted = new Promise<void>((r) => (sawAbort = r));
    const { socketPath } = await setup(t, (rt) => ({
      ...rt,
      logs: (_id, _cfg, opts) =>
        (async function* (): AsyncGenerator<LogLine> {
          yield { stream: 'stdout', time: 't', log: 'one\n' };
          yield { stream: 'stderr', time: 't', log: 'two\n' };
          if (!opts.follow) return;
          await new Promise<void>((r) => opts.signal?.addEventListener('abort', () => r()));
          sawAbort();
        })(),
    }));
    await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ container_name: 'l', image: { name: 'x' } }));
    const nd = await call(socketPath, 'GET', '/v1/containers/l/logs?tail=10');
    assert.deepEqual(nd.lines().map((l) => [l['stream'], l['log']]), [['stdout', 'one\n'], ['stderr', 'two\n']]);
    assert.equal((await call(socketPath, 'GET', '/v1/containers/l/logs?format=text')).text, 'one\ntwo\n');
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath, path: '/v1/containers/l/logs?follow=1' }, (res) => {
        res.once('data', () => req.destroy());
        res.on('error', () => undefined);
        req.on('close', () => resolve());
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
      req.end();
    });
    await aborted; // the follow loop saw the abort (else the test times out)
  });

  it('start?attach=1: output after the start until the exit, then {exit}; a refused start is a plain 409; until=exit', { timeout: 10_000 }, async (t) => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    /** Ends the task once its output is out (the first attach only). */
    let exitAfterOutput: (() => void) | undefined;
    const untilAbort = (signal: AbortSignal | undefined) => new Promise<void>((r) => (signal?.aborted ? r() : signal?.addEventListener('abort', () => r())));
    const { socketPath, memory, manager } = await setup(t, (rt) => ({
      ...rt,
      logs: (_id, _cfg, opts) =>
        (async function* (): AsyncGenerator<LogLine> {
          if (opts.tail !== 0) yield { stream: 'stdout', time: 't0', log: 'old\n' };
          if (!opts.follow) return;
          await Promise.race([running, untilAbort(opts.signal)]);
          yield { stream: 'stdout', time: 't1', log: 'new\n' };
          exitAfterOutput?.();
          exitAfterOutput = undefined;
          await untilAbort(opts.signal);
        })(),
    }));
    await call(socketPath, 'POST', '/v1/containers', JSON.stringify({ container_name: 'a', image: { name: 'x' }, host_config: { restart_policy: { type: 'no' } } }));
    const id = manager.findByName('a')!.id;
    exitAfterOutput = () => memory.exit(id, 5);
    const off = manager.onEvent((e) => {
      if (e.type === 'state' && e.record.state.status === 'RUNNING') started();
    });
    const attached = await call(socketPath, 'POST', '/v1/containers/a/start?attach=1');
    off();
    assert.equal(attached.status, 200);
    assert.equal(attached.type, 'application/x-ndjson');
    const lines = attached.lines();
    assert.deepEqual(lines[0], { stream: 'stdout', time: 't1', log: 'new\n' }, 'tail 0: nothing of the old log');
    assert.deepEqual(lines.slice(1), [{ exit: { status: 'EXITED', exitCode: 5, finishedAt: manager.get(id).state.finishedAt, oomKilled: false } }]);
    // until=exit on a container that is not running: the history and its last exit, without waiting.
    assert.deepEqual((await call(socketPath, 'GET', '/v1/containers/a/logs?follow=1&until=exit')).lines().map((l) => l['log'] ?? (l['exit'] as { exitCode: number }).exitCode), ['old\n', 5]);
    assert.equal((await call(socketPath, 'GET', '/v1/containers/a/logs?until=soon')).status, 400);
    await manager.startContainer(id);
    const refused = await call(socketPath, 'POST', '/v1/containers/a/start?attach=1');
    assert.equal(refused.status, 409);
    assert.equal(refused.json()['code'], 'LEDGE_CM_ALREADY_RUNNING');
  });

  it('socket is 0600, a stale file is replaced, a live one refused, and close removes it', async (t) => {
    const dir = createTempDir(t);
    const socketPath = join(dir, 'cm.sock');
    writeFileSync(socketPath, 'stale');
    const runtime = createMemoryRuntime();
    const manager = createContainerManager({ runtime, store: createContainerStore(join(dir, 'home')) });
    await manager.start();
    t.after(() => manager.close());
    const api = createLocalApi({ socketPath, manager, runtime });
    await api.start();
    const st = statSync(socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
    const second = createLocalApi({ socketPath, manager, runtime });
    await assert.rejects(second.start(), { code: 'LEDGE_CM_API_SOCKET_IN_USE' });
    assert.equal((await call(socketPath, 'GET', '/v1/sysinfo')).json()['version'] !== undefined, true);
    await api.close();
    await api.close();
    assert.equal(existsSync(socketPath), false);
    // The socket's directory is created when missing.
    const api2 = createLocalApi({ socketPath: join(dir, 'x', 'cm.sock'), manager, runtime });
    await api2.start();
    assert.ok(statSync(join(dir, 'x', 'cm.sock')).isSocket());
    await api2.close();
  });
});
