// The containerd client loads gRPC only once containerd's socket exists (client.ts): before that a call
// fails exactly as the gRPC client fails it, streams wait for ready(), and nothing of gRPC is evaluated.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { captureLogger } from '@ledge/shared/util/testing';
import { createContainerdClient, missingSocketError, type ContainerdClient } from './client';
import { GrpcStatus } from './errors';
import { watchTaskExits } from './exit-events';
import { createGrpcClient } from './grpc-client';

const tmp = () => mkdtempSync(join(tmpdir(), 'ledge-ctrd-client-'));

test('GrpcStatus holds the codes of @grpc/grpc-js', () => {
  for (const [name, code] of Object.entries(GrpcStatus)) assert.equal(code, status[name as keyof typeof status], name);
});

test('a call before the socket exists fails as the gRPC client fails it', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socket = join(dir, 'containerd.sock');
  const lazyClient = createContainerdClient({ socket, namespace: 'ledge' });
  const grpcClient = createGrpcClient({ socket, namespace: 'ledge' });
  t.after(() => (lazyClient.close(), grpcClient.close()));
  const viaGrpc = await grpcClient.unary('containers', 'List', { filters: [] }).then(() => assert.fail('resolved'), (e: unknown) => e as Error & { code: string; kind: string; details: unknown });
  const viaLazy = await lazyClient.unary('containers', 'List', { filters: [] }).then(() => assert.fail('resolved'), (e: unknown) => e as Error & { code: string; kind: string; details: unknown });
  assert.equal(viaLazy.code, 'LEDGE_CTRD_UNAVAILABLE');
  assert.deepEqual([viaLazy.message, viaLazy.code, viaLazy.kind, viaLazy.details], [viaGrpc.message, viaGrpc.code, viaGrpc.kind, viaGrpc.details]);
  // ready() rejects with what a stream's 'error' event carries (the untranslated gRPC error).
  const streamError = await new Promise<Error & { code?: number; details?: string }>((resolve) => grpcClient.serverStream('events', 'Subscribe', { filters: [] }).on('error', resolve));
  const readyError = await lazyClient.ready().then(() => assert.fail('resolved'), (e: unknown) => e as Error & { code?: number; details?: string });
  assert.deepEqual([readyError.message, readyError.code, readyError.details], [streamError.message, streamError.code, streamError.details]);
  assert.deepEqual([readyError.code, readyError.details], [missingSocketError(socket).code, missingSocketError(socket).details]);
  assert.throws(() => lazyClient.serverStream('events', 'Subscribe', { filters: [] }), /before ready\(\) resolved/);
});

test('once the socket exists, ready() loads the gRPC client and streams open', async (t) => {
  const dir = tmp();
  const socket = join(dir, 'containerd.sock');
  // Anything listening makes the socket exist; gRPC then fails the calls itself (not containerd).
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(socket, r));
  const client = createContainerdClient({ socket, namespace: 'ledge' });
  t.after(() => (client.close(), server.close(), rmSync(dir, { recursive: true, force: true })));
  await client.ready();
  const stream = client.serverStream('events', 'Subscribe', { filters: [] });
  const err = await new Promise<Error & { code?: number }>((resolve) => stream.on('error', resolve));
  assert.equal(err.code, status.UNAVAILABLE);
  await assert.rejects(client.unary('version', 'Version', {}), { code: 'LEDGE_CTRD_UNAVAILABLE' });
});

test('a closed client refuses calls, loaded or not', async () => {
  const client = createContainerdClient({ socket: join(tmpdir(), 'ledge-no-such-containerd.sock'), namespace: 'ledge' });
  client.close();
  await assert.rejects(client.unary('version', 'Version', {}), { code: 'LEDGE_CTRD_CLOSED' });
  await assert.rejects(client.ready(), { code: 'LEDGE_CTRD_CLOSED' });
  assert.throws(() => client.duplex('content', 'Write'), { code: 'LEDGE_CTRD_CLOSED' });
});

test('the exit watcher retries while the socket is missing, as it does while containerd is down', async (t) => {
  const socket = join(tmpdir(), 'ledge-no-such-containerd.sock');
  const { logger, lines } = captureLogger();
  const client: ContainerdClient = createContainerdClient({ socket, namespace: 'ledge' });
  const exits = watchTaskExits({ client, namespace: 'ledge', logger });
  t.after(() => (exits.close(), client.close()));
  await new Promise((r) => setTimeout(r, 100));
  const warned = lines.filter((l) => l['msg'] === 'event stream lost; resubscribing');
  assert.equal(warned.length, 1);
  assert.deepEqual([warned[0]!['code'], warned[0]!['retryInMs'], warned[0]!['error']], [14, 1000, missingSocketError(socket).message]);
});

test('an idle client without containerd evaluates none of gRPC', () => {
  // A process of its own: this spec has loaded @grpc/grpc-js itself. grpc-js requires node:http2 when it
  // is evaluated, so http2 in the module list means gRPC was loaded.
  const client = fileURLToPath(new URL('./client.ts', import.meta.url));
  const script = `
    const { createContainerdClient } = await import(${JSON.stringify(client)});
    const c = createContainerdClient({ socket: '/nonexistent/containerd.sock', namespace: 'ledge' });
    const err = await c.unary('containers', 'List', { filters: [] }).catch((e) => e);
    const exits = await c.ready().catch((e) => e);
    process.stdout.write(JSON.stringify({ code: err.code, ready: exits.code, http2: process.moduleLoadList.some((m) => / http2$/.test(m)) }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { code: 'LEDGE_CTRD_UNAVAILABLE', ready: 14, http2: false });
});
