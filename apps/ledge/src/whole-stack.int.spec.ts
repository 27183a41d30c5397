// Whole-stack conformance (issue 16): every app at once, as `ledge run` and as `ledge run --processes`,
// the connector on a Mosquitto playing Hono, and a third-party app serving its own feature of the gateway
// thing. Everything is driven from the cloud side, as a business app would: a command to each feature
// gets exactly one response, its owner's (the connector forwards only the first answer per correlation-id,
// so one wrong 404 hides the right one); a command nobody serves gets none. Install and upload run end to
// end through the cloud. Only the broker's port is configured (port 0, env, file): every app must find
// the broker by itself. Every line the stack writes is a JSON object without duplicate keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connectAsync } from 'mqtt';
import { containerdAvailable, registryAvailable, startContainerd, startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { findMosquitto, freePort } from '@ledge/shared/data-access-mqtt/testing';
import { startArtifactServer, type ArtifactServer } from '@ledge/software-update/data-access-download/testing';
import { distinctStatuses } from '@ledge/software-update/model-software-update';
import { bundlePath, createTempDir, hasCommand, quietPeriod, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { duplicateKeys } from './testing/duplicate-keys';
import { THIRD_PARTY_FEATURE } from './testing/third-party-app';
import { backupAndRestoreThroughCloud, metricsThroughCloud } from './testing/feature-flows';
import { containerLogsThroughCloud } from './testing/logs-flow';
import { localTwinThroughOutage } from './testing/twins-flow';
import { desiredStateThroughCloud } from './testing/update-flow';
import { startUploadSink } from './testing/upload-sink';
import { DEVICE, startWholeStack, waitForAllFeatures, type Command, type Envelope, type StackMode, type WholeStack } from './testing/whole-stack';

const APPS = ['broker', 'connector', 'container-management', 'software-update', 'file-upload', 'file-backup', 'system-metrics', 'update-manager'];
const BUNDLES = ['ledge', ...APPS];
const missing = [
  ...(findMosquitto() ? [] : ['mosquitto']),
  ...(['mosquitto_passwd', 'openssl'].filter((c) => !hasCommand(c))),
  ...(containerdAvailable() ? [] : ['root with containerd and runc']),
  ...(registryAvailable() ? [] : ['docker-registry, umoci, skopeo and busybox-static (the test image)']),
  ...(BUNDLES.every((b) => existsSync(bundlePath(b))) ? [] : ['the bundles (npx nx run-many -t build)']),
];
const skip = skipUnlessTools(missing.join(', '), missing.length > 0);
const requireTools = () => assert.deepEqual(missing, [], `the whole-stack suite needs ${missing.join(', ')}`);

interface Probe {
  command: Command;
  /** undefined: nobody serves the feature, so no response may come. */
  owner?: string;
  status?: number;
  check?: (env: Envelope) => void;
}

const errorCode = (env: Envelope) => (env.value as { error?: string } | undefined)?.error;

// One harmless operation per feature of every app, and features nobody serves on both things.
const PROBES: readonly Probe[] = [
  { command: { thing: 'gateway', feature: 'SoftwareUpdatable', operation: 'install', value: {} }, owner: 'software-update', status: 400, check: (e) => assert.equal(errorCode(e), 'messages:parameter.invalid') },
  { command: { thing: 'gateway', feature: 'AutoUploadable', operation: 'deactivate', value: {} }, owner: 'file-upload', status: 204 },
  { command: { thing: 'gateway', feature: 'BackupAndRestore', operation: 'restore', value: { options: {} } }, owner: 'file-backup', status: 400, check: (e) => assert.equal(errorCode(e), 'messages:parameter.invalid') },
  { command: { thing: 'gateway', feature: 'Metrics', operation: 'request', value: { frequency: '0s' } }, owner: 'system-metrics', status: 204 },
  { command: { thing: 'gateway', feature: 'Metrics', operation: 'request', value: { frequency: 'often' } }, owner: 'system-metrics', status: 400, check: (e) => assert.equal(errorCode(e), 'messages:parameter.invalid') },
  { command: { thing: 'gateway', feature: 'UpdateManager', operation: 'apply', value: { activityId: 'probe', timestamp: 0 } }, owner: 'update-manager', status: 400, check: (e) => assert.equal(errorCode(e), 'messages:parameter.invalid') },
  { command: { thing: 'gateway', feature: 'UpdateManager', operation: 'refresh', value: { activityId: 'probe', timestamp: 0 } }, owner: 'update-manager', status: 204 },
  { command: { thing: 'gateway', feature: THIRD_PARTY_FEATURE, operation: 'greet', value: 'cloud' }, owner: 'third-party app', status: 200, check: (e) => assert.equal(e.value, 'hello, cloud') },
  { command: { thing: 'containers', feature: 'ContainerFactory', operation: 'create', value: { start: true } }, owner: 'container-management', status: 400, check: (e) => assert.equal(errorCode(e), 'messages:parameter.invalid') },
  { command: { thing: 'containers', feature: 'Metrics', operation: 'request', value: { frequency: '0s' } }, owner: 'container-management', status: 204 },
  { command: { thing: 'containers', feature: 'SoftwareUpdatable', operation: 'install', value: {} }, owner: 'container-management', status: 400, check: (e) => assert.equal(errorCode(e), 'messages:parameter.invalid') },
  { command: { thing: 'gateway', feature: 'NoSuchFeature', operation: 'ping', value: {} } },
  { command: { thing: 'containers', feature: 'NoSuchFeature', operation: 'ping', value: {} } },
];

/**
 * How long after the last expected response a duplicate, or an answer nobody should give, may still come.
 * A window, not a sentinel: the wrong answer may come from any of a dozen processes (a second instance
 * of an app included), and a sentinel proves the pipeline flushed only for the one that answers it.
 */
const QUIET_MS = 2_000;

async function probeEveryFeature(stack: WholeStack): Promise<void> {
  const sent: { probe: Probe; requestId: string }[] = [];
  for (const probe of PROBES) sent.push({ probe, requestId: await stack.send(probe.command) });
  const answered = sent.filter((s) => s.probe.status !== undefined);
  await waitFor(() => answered.every((s) => stack.cloudResponses(s.requestId).length > 0), 30_000, 'a response at the cloud to every served feature').catch(() => undefined);
  await quietPeriod(QUIET_MS, 'a duplicate or an unowned answer from any process of the stack');
  // Every probe is judged before failing, so one run names every wrong answer.
  const problems: string[] = [];
  for (const { probe, requestId } of sent) {
    const { thing, feature, operation } = probe.command;
    const what = `${feature} (${thing} thing, served by ${probe.owner ?? 'nobody'}) ${operation}`;
    const cloud = stack.cloudResponses(requestId);
    const local = stack.localResponses(requestId);
    const want = probe.status === undefined ? [] : [probe.status];
    const statuses = cloud.map((r) => r.status);
    if (JSON.stringify(statuses) !== JSON.stringify(want)) problems.push(`${what}: the cloud got ${JSON.stringify(statuses)}, want ${JSON.stringify(want)}: ${JSON.stringify(cloud.map((r) => r.env))}`);
    if (local.length !== want.length) problems.push(`${what}: ${local.length} answers on the local bus, want ${want.length}: ${local.join(', ')}`);
    const first = cloud[0];
    if (first === undefined || probe.status === undefined) continue;
    try {
      assert.equal(first.env.status, probe.status, 'status in the envelope');
      assert.equal(first.env.path, `/features/${feature}/outbox/messages/${operation}`);
      assert.equal(first.env.headers?.['correlation-id'], `corr-${requestId}`);
      probe.check?.(first.env);
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(problems, []);
  const greet = sent.find((s) => s.probe.command.feature === THIRD_PARTY_FEATURE)!;
  assert.deepEqual(stack.thirdParty.answered, [greet.requestId], 'the third-party app answered its own command only');
}

interface LastOperation {
  correlationId: string;
  status: string;
  message?: string;
}

/** A SoftwareUpdatable install value of one plain install.sh served by `srv`. */
function installValue(srv: ArtifactServer, cid: string, script: string) {
  const a = srv.add(`/${cid}/install.sh`, Buffer.from(script));
  return {
    correlationId: cid,
    weight: 0,
    forced: false,
    metadata: {},
    softwareModules: [
      {
        softwareModule: { name: 'hello', version: '1.0.0' },
        metaData: { 'artifact-type': 'plain' },
        artifacts: [{ filename: 'install.sh', size: a.size, download: { HTTP: { url: a.url } }, checksums: { SHA256: a.sha256, MD5: a.md5 } }],
      },
    ],
  };
}

async function installThroughCloud(t: TestContext, stack: WholeStack): Promise<void> {
  const srv = await startArtifactServer(t);
  const marker = join(createTempDir(t), 'installed');
  const script = `#!/bin/sh\nmkdir -p installed-deps\nprintf 'group=demo\\nname=hello\\nversion=1.0.0\\n' > installed-deps/hello.prs\necho ran > ${marker}\n`;
  const cid = 'whole-stack-install';
  const value = installValue(srv, cid, script);
  const requestId = await stack.send({ thing: 'gateway', feature: 'SoftwareUpdatable', operation: 'install', value });
  const lastOps = () =>
    stack.events
      .filter((e) => e.thing === DEVICE && e.env.path === '/features/SoftwareUpdatable/properties/status/lastOperation')
      .map((e) => e.env.value as LastOperation)
      .filter((v) => v.correlationId === cid);
  const end = await waitFor(() => lastOps().find((v) => v.status.startsWith('FINISHED_')), 60_000, 'FINISHED_* of the install at the cloud');
  assert.equal(end.status, 'FINISHED_SUCCESS', JSON.stringify(end));
  assert.deepEqual(distinctStatuses(lastOps()), ['STARTED', 'DOWNLOADING', 'DOWNLOADED', 'INSTALLING', 'INSTALLED', 'FINISHED_SUCCESS']);
  assert.ok(existsSync(marker), 'the install script ran');
  const deps = stack.events.filter((e) => e.thing === DEVICE && e.env.path === '/features/SoftwareUpdatable/properties/status/installedDependencies').at(-1);
  assert.deepEqual(deps?.env.value, { '0': { group: 'demo', name: 'hello', version: '1.0.0' } });
  assert.deepEqual(stack.cloudResponses(requestId).map((r) => r.status), [204]);
  assert.equal(stack.localResponses(requestId).length, 1, stack.localResponses(requestId).join(', '));
  // issue 21: software update's health says how its last update ended, and the connector's Health feature
  // carries it to the cloud (what `ledge status` shows as "Last update")
  await waitFor(
    () => stack.events.some((e) => e.thing === DEVICE && e.env.path === '/features/Health/properties/software-update' && (e.env.value as { lastOperation?: { correlationId?: string; status?: string } }).lastOperation?.correlationId === cid && (e.env.value as { lastOperation: { status: string } }).lastOperation.status === 'FINISHED_SUCCESS'),
    15_000,
    'the install\'s end in software update\'s health at the cloud',
  );
}

/**
 * Issue 23: a local client without the connector's account (anonymous, like a local user or a container
 * on the host network) forges what only the cloud link may say: an install, an identity, a link status.
 * The broker drops each and logs the client; software update (root) downloads and runs nothing; the
 * same client's event still reaches the cloud, as a third-party app's must.
 */
async function localForgeriesAreRefused(t: TestContext, stack: WholeStack): Promise<void> {
  const srv = await startArtifactServer(t);
  const marker = join(createTempDir(t), 'pwned');
  const cid = 'forged-install';
  const value = installValue(srv, cid, `#!/bin/sh\necho owned > ${marker}\n`);
  const install = { topic: `${DEVICE.replace(':', '/')}/things/live/messages/install`, headers: { 'correlation-id': cid, 'response-required': true }, path: '/features/SoftwareUpdatable/inbox/messages/install', value };
  const url = `mqtt://127.0.0.1:${stack.localPort}`;
  const watcher = await connectAsync(url, { clientId: 'forgery-watcher', reconnectPeriod: 0 });
  t.after(() => watcher.endAsync(true));
  const seen: string[] = [];
  watcher.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  await watcher.subscribeAsync(['edge/thing/response', 'edge/connection/remote/status', 'edge/health/software-update', 'deviceupdate/desiredstatefeedback', 'containersupdate/desiredstatefeedback'], { qos: 1 });
  const forgedState = { domains: [{ id: 'containers', components: [{ id: 'forged', version: '1', config: [{ key: 'image', value: 'forged.invalid/root:1' }, { key: 'privileged', value: 'true' }] }] }] };
  const forger = await connectAsync(url, { clientId: 'forger', reconnectPeriod: 0 });
  t.after(() => forger.endAsync(true));
  const forged: [string, string, boolean][] = [
    ['command///req/x1/install', JSON.stringify(install), false],
    ['c///q/x1/install', JSON.stringify(install), false],
    ['edge/thing/response', '{"deviceId":"evil:device","tenantId":"evil"}', false],
    ['edge/connection/remote/status', '{"connected":false,"timestamp":1,"cause":"CONNECTION_CLOSED"}', true],
    ['edge/health/software-update', '{"status":"down","pid":999999,"version":"forged","since":1}', true],
    // issue 18: the update contract's orders make container management (root) run containers
    ['deviceupdate/desiredstate', JSON.stringify({ activityId: 'forged-activity', timestamp: 1, payload: forgedState }), false],
    ['containersupdate/desiredstate', JSON.stringify({ activityId: 'forged-activity', timestamp: 1, payload: forgedState }), false],
    ['containersupdate/desiredstate/command', JSON.stringify({ activityId: 'forged-activity', timestamp: 1, payload: { command: 'CLEANUP' } }), false],
  ];
  for (const [topic, payload, retain] of forged) await forger.publishAsync(topic, payload, { qos: 1, retain });
  const event = { topic: `${DEVICE.replace(':', '/')}/things/twin/commands/modify`, headers: { 'response-required': false }, path: `/features/${THIRD_PARTY_FEATURE}/properties/greeted`, value: 'by a third-party app' };
  await forger.publishAsync('e', JSON.stringify(event), { qos: 1 });
  await waitFor(() => stack.events.find((e) => e.thing === DEVICE && e.env.path === event.path), 15_000, 'the third-party event at the cloud');
  const denied = await waitFor(() => {
    const lines = stack.ledge.logs.filter((l) => l['msg'] === 'publish denied by ACL, dropped' && l['clientId'] === 'forger');
    return lines.length >= forged.length ? lines : undefined;
  }, 10_000, 'a denial logged for each forgery');
  assert.deepEqual(denied.map((l) => l['topic']), forged.map(([topic]) => topic));
  // Software update handles its commands in order: once it answered this probe it had its turn at the forgery.
  const probe = await stack.send({ thing: 'gateway', feature: 'SoftwareUpdatable', operation: 'install', value: {} });
  await waitFor(() => stack.cloudResponses(probe)[0], 15_000, 'the probe\'s answer');
  assert.deepEqual(srv.requests, [], 'nothing downloaded');
  assert.equal(existsSync(marker), false, 'nothing ran');
  assert.equal(stack.events.filter((e) => (e.env.value as { correlationId?: string } | undefined)?.correlationId === cid).length, 0, 'no operation reported');
  assert.deepEqual(seen.filter((s) => s.includes('evil') || s.includes('"timestamp":1,') || s.includes('forged')), [], 'no forged identity, status, health or desired state reached a local app');
}

interface Health {
  status: string;
  pid: number;
  restarts?: number;
  reason?: string;
}

/**
 * Health (issue 21): every app `up` on the bus and in the gateway's `Health` feature at the cloud; under
 * --processes, software update's process SIGKILLed: `down` (lost) on both from its will, then `up` again
 * from the restarted process, which counts the restart.
 */
async function healthThroughCloud(t: TestContext, stack: WholeStack, mode: StackMode): Promise<void> {
  const bus = await connectAsync(`mqtt://127.0.0.1:${stack.localPort}`, { clientId: 'health-watcher', reconnectPeriod: 0 });
  t.after(() => bus.endAsync(true));
  const onBus = new Map<string, Health[]>();
  bus.on('message', (topic, payload) => {
    const app = topic.slice('edge/health/'.length);
    if (payload.length > 0) onBus.set(app, [...(onBus.get(app) ?? []), JSON.parse(payload.toString()) as Health]);
  });
  await bus.subscribeAsync('edge/health/+', { qos: 1 });
  // The cloud's view: the whole feature, then one property per change, applied in order.
  const atCloud = () => {
    const view: Record<string, Health> = {};
    for (const { thing, env } of stack.events) {
      if (thing !== DEVICE || !env.topic.endsWith('/things/twin/commands/modify')) continue;
      if (env.path === '/features/Health') Object.assign(view, (env.value as { properties: Record<string, Health> }).properties);
      const m = /^\/features\/Health\/properties\/([^/]+)$/.exec(env.path);
      if (m) view[m[1]!] = env.value as Health;
    }
    return view;
  };
  const last = (app: string) => onBus.get(app)?.at(-1);
  await waitFor(() => APPS.every((a) => last(a)?.status === 'up'), 30_000, `every app up on the bus (${JSON.stringify(Object.fromEntries(onBus))})`);
  await waitFor(() => APPS.every((a) => atCloud()[a]?.status === 'up'), 30_000, 'every app up in the Health feature at the cloud').catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(atCloud())}`);
  });
  const definition = stack.events.find((e) => e.env.path === '/features/Health')?.env.value as { definition?: string[] };
  assert.deepEqual(definition.definition, ['org.eclipse.ledge:Health:1.0.0']);
  if (mode !== 'processes') return; // one process: killing one app is killing all
  const victim = last('software-update')!;
  assert.notEqual(victim.pid, process.pid);
  process.kill(victim.pid, 'SIGKILL');
  const lost = await waitFor(() => onBus.get('software-update')!.find((h) => h.status === 'down'), 15_000, 'software update down on the bus');
  assert.deepEqual([lost.pid, lost.reason], [victim.pid, 'lost'], 'the will of the killed process');
  await waitFor(() => atCloud()['software-update']?.status === 'down', 15_000, 'software update down at the cloud');
  const back = await waitFor(() => (last('software-update')?.status === 'up' && last('software-update')!.pid !== victim.pid ? last('software-update') : undefined), 30_000, 'software update up again');
  assert.equal(back.restarts, 1, 'the supervisor counted the restart');
  await waitFor(() => atCloud()['software-update']?.pid === back.pid && atCloud()['software-update']?.status === 'up', 15_000, 'software update up again at the cloud');
}

interface LastUpload {
  correlationId: string;
  state: string;
  progress: number;
  message: string;
}

async function uploadThroughCloud(t: TestContext, stack: WholeStack): Promise<void> {
  const sink = await startUploadSink(t);
  const body = randomBytes(256 * 1024 + 7);
  const file = join(stack.devDir, 'file-upload', 'files', 'report.log');
  writeFileSync(file, body);
  const job = 'whole-stack-upload';
  const trigger = await stack.send({ thing: 'gateway', feature: 'AutoUploadable', operation: 'trigger', value: { correlationId: job, options: {} } });
  const request = await waitFor(
    () => stack.events.find((e) => e.thing === DEVICE && e.env.path === '/features/AutoUploadable/outbox/messages/request' && (e.env.value as { correlationId: string }).correlationId.startsWith(`${job}#`)),
    20_000,
    'the upload request at the cloud',
  );
  const { correlationId, options } = request.env.value as { correlationId: string; options: Record<string, string> };
  assert.equal(options['file.path'], file);
  assert.equal(request.env.headers?.['reply-to'], 'command/demo', '§6.2: the answer goes to command/<tenant>');

  const start = await stack.send({ thing: 'gateway', feature: 'AutoUploadable', operation: 'start', value: { correlationId, options: { 'https.url': `${sink.url}/uploads/report.log` } } });
  const uploads = () =>
    stack.events
      .filter((e) => e.thing === DEVICE && e.env.path === '/features/AutoUploadable/properties/lastUpload')
      .map((e) => e.env.value as LastUpload)
      .filter((u) => u.correlationId === correlationId);
  const end = await waitFor(() => uploads().find((u) => !['PENDING', 'UPLOADING'].includes(u.state)), 30_000, 'the end of the upload at the cloud');
  assert.equal(end.state, 'SUCCESS', JSON.stringify(end));
  assert.equal(end.progress, 100);
  assert.ok(sink.objects.get('/uploads/report.log')?.equals(body), 'the uploaded bytes are the file');
  for (const requestId of [trigger, start]) {
    assert.deepEqual(stack.cloudResponses(requestId).map((r) => r.status), [204]);
    assert.equal(stack.localResponses(requestId).length, 1, stack.localResponses(requestId).join(', '));
  }
}

/** Every line `ledge run` wrote must be a JSON object without duplicate keys; returns the parsed lines. */
function parseEveryLine(stack: WholeStack): Record<string, unknown>[] {
  const problems: string[] = [];
  const parsed: Record<string, unknown>[] = [];
  for (const { stream, line } of stack.lines) {
    if (line.trim() === '') continue;
    try {
      const dups = duplicateKeys(line);
      if (dups.length > 0) problems.push(`${stream}: duplicate key(s) ${dups.join(', ')}: ${line.slice(0, 400)}`);
      const value = JSON.parse(line) as unknown;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) problems.push(`${stream}: not a JSON object: ${line.slice(0, 400)}`);
      else parsed.push(value as Record<string, unknown>);
    } catch {
      problems.push(`${stream}: not JSON: ${line.slice(0, 400)}`);
    }
  }
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} bad line(s) of ${stack.lines.length}`);
  return parsed;
}

async function stopsCleanlyWithJsonLogs(stack: WholeStack, mode: StackMode): Promise<void> {
  assert.equal(await stack.stop('SIGTERM'), 0, 'ledge run exits 0 on SIGTERM');
  const logs = parseEveryLine(stack);
  assert.ok(logs.length > 100, `only ${logs.length} log lines: the debug logs of every app are expected`);
  // Under --processes each app stops by itself: one the supervisor has to SIGKILL (after 8 s) never logs it.
  const stopped = logs.filter((l) => l['msg'] === 'stopped').map((l) => String(l['name'])).sort();
  assert.deepEqual(stopped, mode === 'processes' ? [...APPS, 'ledge'].sort() : ['ledge'], 'who logged "stopped"');
}

function wholeStackSuite(mode: StackMode): void {
  const run = mode === 'processes' ? 'ledge run --processes' : 'ledge run (all-in-one)';
  describe(`whole stack against a Hono cloud: ${run}`, { skip }, () => {
    it('broker on port 0: one answer per command, its owner\'s; install and upload through the cloud; JSON log lines', { timeout: 180_000 }, async (t) => {
      requireTools();
      const [containerd, registry] = await Promise.all([startContainerd(t), startRegistry(t)]);
      const stack = await startWholeStack(t, { mode, brokerPort: { via: 'env', port: 0 }, containerd, registry, logLevel: 'debug' });
      await waitForAllFeatures(stack);
      await t.test('a command to each feature: exactly one response at the cloud, with the owner\'s status; a feature nobody serves: none', () => probeEveryFeature(stack));
      await t.test('health: every app up on the bus and at the cloud\'s Health feature; a killed app (--processes) goes down and comes back', (st) => healthThroughCloud(st, stack, mode));
      await t.test('a local client without the connector\'s account cannot forge an install, an identity, a link status or an app\'s health; its event still reaches the cloud', (st) => localForgeriesAreRefused(st, stack));
      await t.test('SoftwareUpdatable install from the cloud runs to FINISHED_SUCCESS', (st) => installThroughCloud(st, stack));
      await t.test('AutoUploadable trigger → request → start from the cloud uploads the file', (st) => uploadThroughCloud(st, stack));
      await t.test('BackupAndRestore backup → request → start uploads a zip; restore from it brings the directory back', (st) => backupAndRestoreThroughCloud(st, stack));
      await t.test('Logs upload from the cloud naming a container and an app: the container\'s lines from container management and the app\'s from its log file in the archive; no other local client reads them', (st) => containerLogsThroughCloud(st, stack, registry));
      await t.test('UpdateManager apply from the cloud: the containers agent runs v1, v2 (one changed, one kept, one added with a health check), rolls v3 back when a new container exits at activation; a wrong key is refused naming it', (st) => desiredStateThroughCloud(st, stack, registry, mode));
      await t.test('Metrics request from the cloud → data messages at the cloud at that frequency; frequency 0 stops them', () => metricsThroughCloud(stack));
      await t.test('local twins: a property changed by a local app while the cloud is down is answered from the twin and reaches the cloud as its last state after the reconnect', (st) => localTwinThroughOutage(st, stack));
      await t.test('SIGTERM stops every app by itself, exit code 0; every line it wrote is a JSON object without duplicate keys', () => stopsCleanlyWithJsonLogs(stack, mode));
    });

    for (const via of ['env', 'file'] as const) {
      const how = via === 'env' ? 'LEDGE_BROKER_PORT' : 'the broker config file (LEDGE_BROKER_CONFIG {"port"})';
      it(`broker port changed by ${how} only: every app finds the broker, every feature answers`, { timeout: 120_000 }, async (t) => {
        requireTools();
        const containerd = await startContainerd(t);
        const port = await freePort();
        const stack = await startWholeStack(t, { mode, brokerPort: { via, port }, containerd });
        assert.equal(stack.localPort, port, 'the broker listens on the port set');
        await waitForAllFeatures(stack);
        await probeEveryFeature(stack);
        assert.equal(await stack.stop('SIGTERM'), 0);
        parseEveryLine(stack);
      });
    }
  });
}

wholeStackSuite('all-in-one');
wholeStackSuite('processes');
