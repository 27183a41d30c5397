// Whole-stack flows of file-backup and system-metrics through the Hono-style cloud, run by
// whole-stack.int.spec.ts in both `ledge run` modes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from '@ledge/shared/util/testing';
import { startUploadSink } from './upload-sink';
import { DEVICE, type WholeStack } from './whole-stack';

interface BackupOperation {
  correlationId: string;
  state: string;
  message: string;
}

/** Kanto's file-backup contract end to end: backup → request → start uploads a zip to the sink; a restore from it brings the directory back, bytes equal. */
export async function backupAndRestoreThroughCloud(t: TestContext, stack: WholeStack): Promise<void> {
  const sink = await startUploadSink(t);
  const dir = join(stack.devDir, 'file-backup', 'data');
  mkdirSync(join(dir, 'conf'), { recursive: true });
  const original = { 'conf/app.json': '{"mode":"gateway"}\n', 'blob.bin': randomBytes(64 * 1024 + 3).toString('base64') };
  for (const [name, body] of Object.entries(original)) writeFileSync(join(dir, name), body);
  const ops = (cid: string) =>
    stack.events.filter((e) => e.thing === DEVICE && e.env.path === '/features/BackupAndRestore/properties/lastOperation').map((e) => e.env.value as BackupOperation).filter((o) => o.correlationId === cid);
  const backup = await stack.send({ thing: 'gateway', feature: 'BackupAndRestore', operation: 'backup', value: { correlationId: 'ws-backup', options: {} } });
  const request = await waitFor(
    () => stack.events.find((e) => e.thing === DEVICE && e.env.path === '/features/BackupAndRestore/outbox/messages/request' && (e.env.value as { correlationId: string }).correlationId === 'ws-backup#1'),
    20_000,
    'the backup\'s upload request at the cloud',
  );
  assert.deepEqual(ops('ws-backup').map((o) => o.state), ['BACKUP_STARTED', 'BACKUP_FINISHED']);
  const start = await stack.send({ thing: 'gateway', feature: 'BackupAndRestore', operation: 'start', value: { correlationId: 'ws-backup#1', options: { 'https.url': `${sink.url}/backups/gw.zip` } } });
  await waitFor(() => sink.objects.has('/backups/gw.zip'), 20_000, 'the archive at the sink');
  assert.ok(sink.objects.get('/backups/gw.zip')!.subarray(0, 2).toString() === 'PK', 'a zip file');
  assert.match((request.env.value as { options: Record<string, string> }).options['file.path']!, /\/file-backup\/storage\/backups\/backup-.*\.zip$/);
  // The directory changes; the restore brings back what was backed up.
  writeFileSync(join(dir, 'conf', 'app.json'), '{"mode":"broken"}\n');
  writeFileSync(join(dir, 'stray.tmp'), 'x');
  const restore = await stack.send({ thing: 'gateway', feature: 'BackupAndRestore', operation: 'restore', value: { correlationId: 'ws-restore', options: { 'https.url': `${sink.url}/backups/gw.zip` } } });
  const end = await waitFor(() => ops('ws-restore').find((o) => o.state !== 'RESTORE_STARTED'), 20_000, 'the restore\'s end at the cloud');
  assert.equal(end.state, 'RESTORE_FINISHED', end.message);
  assert.deepEqual(readdirSync(dir).sort(), ['blob.bin', 'conf']);
  for (const [name, body] of Object.entries(original)) assert.equal(readFileSync(join(dir, name), 'utf8'), body, name);
  for (const requestId of [backup, start, restore]) assert.deepEqual(stack.cloudResponses(requestId).map((r) => r.status), [204]);
}

interface MetricData {
  timestamp: number;
  snapshot: { originator: string; measurements: { id: string; value: number }[] }[];
}

/** Kanto's system-metrics contract end to end: a request from the cloud → data messages at the cloud, then a stop. */
export async function metricsThroughCloud(stack: WholeStack): Promise<void> {
  const data = () => stack.events.filter((e) => e.thing === DEVICE && e.env.path === '/features/Metrics/outbox/messages/data').map((e) => e.env.value as MetricData);
  const before = data().length;
  const started = await stack.send({ thing: 'gateway', feature: 'Metrics', operation: 'request', value: { frequency: '1s', filter: [{ id: ['cpu.utilization', 'memory.*'], originator: 'SYSTEM' }] } });
  await waitFor(() => data().length >= before + 2, 20_000, 'two data messages at the cloud');
  assert.deepEqual(stack.cloudResponses(started).map((r) => r.status), [204]);
  const last = data().at(-1)!;
  assert.ok(Math.abs(last.timestamp - Date.now() / 1000) < 30, `timestamp in Unix seconds: ${last.timestamp}`);
  assert.deepEqual(last.snapshot.map((o) => o.originator), ['SYSTEM']);
  const m = Object.fromEntries(last.snapshot[0]!.measurements.map((x) => [x.id, x.value]));
  assert.deepEqual(Object.keys(m), ['cpu.utilization', 'memory.total', 'memory.available', 'memory.used', 'memory.utilization']);
  assert.ok(m['cpu.utilization']! >= 0 && m['cpu.utilization']! <= 100, `cpu.utilization ${m['cpu.utilization']}`);
  assert.ok(m['memory.total']! > 0 && m['memory.used']! + m['memory.available']! === m['memory.total'], JSON.stringify(m));
  const stopped = await stack.send({ thing: 'gateway', feature: 'Metrics', operation: 'request', value: { frequency: 0 } });
  await waitFor(() => stack.cloudResponses(stopped).length > 0, 10_000, 'the stop answered');
  const after = data().length;
  await new Promise((r) => setTimeout(r, 2_500)); // two periods: no report may come once stopped
  assert.ok(data().length <= after + 1, `reports after the stop: ${data().length - after}`); // one may have been on its way
}
