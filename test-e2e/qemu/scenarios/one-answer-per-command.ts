// Issue 16 on the packaged stack: software update, file upload and a third-party app share the gateway
// thing, container management serves <dev>:edge:containers. The connector forwards one response per
// correlation-id (spec §2.1.5), so an app answering for a feature it does not serve (a bystander's 404)
// could hide the owner's answer. One command from the cloud to each feature, counted at the cloud and on
// the gateway's bus; then the install and the upload those commands started, run to their end.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { client, close, isActive, waitFor } from '../lib/guest-checks';
import type { Vm } from '../lib/vm';
import {
  closeCloud,
  commandEnvelope,
  commandTopic,
  connectCloud,
  CONTAINERS_THING,
  DEVICE,
  hostUrl,
  INSTALL_STATUSES,
  installValue,
  withoutProgress,
} from '../lib/cloud';
import type { Scenario } from '../scenarios';

/** A feature of the gateway thing served by a local app that is not Ledge's (the third-party app below). */
const THIRD_PARTY_FEATURE = 'E2EThermometer';
const THIRD_PARTY_VALUE = { celsius: 21.5, servedBy: 'third-party' };
/** A feature of the gateway thing no app serves. */
const NOBODYS_FEATURE = 'E2ENobody';
/** After the last expected answer, how long a late second answer (or one to the unserved feature) is waited for. */
const SETTLE_MS = 8_000;
const UPLOAD_DIR = '/var/tmp/file-upload';
const MARKER = '/var/lib/ledge-e2e-one-answer';

interface Command {
  label: string;
  thingId: string;
  featureId: string;
  subject: string;
  value: unknown;
  /** The owner's answer; absent: nobody serves the feature, so no answer at all. */
  expect?: { status: number; owner: string; check?: (value: unknown) => boolean };
  requestId: string;
  correlationId: string;
}

interface Answer {
  status: number;
  value: unknown;
}

/** Responses per request ID, long (`command//…/res/<id>/<status>`) and short (`c//…/s/…`) form. */
function countAnswers(c: MqttClient): Map<string, Answer[]> {
  const answers = new Map<string, Answer[]>();
  c.on('message', (topic, payload) => {
    const m = /^(?:command|c)\/\/[^/]*\/(?:res|s)\/([^/]+)\/(\d+)$/.exec(topic);
    if (!m) return;
    let value: unknown;
    try {
      value = (JSON.parse(payload.toString()) as { value?: unknown }).value;
    } catch {
      value = payload.toString(); // counted all the same
    }
    answers.set(m[1]!, [...(answers.get(m[1]!) ?? []), { status: Number(m[2]), value }]);
  });
  return answers;
}

/**
 * A small local MQTT app that is not Ledge: it serves THIRD_PARTY_FEATURE of the gateway thing and, as
 * Kanto's apps do, leaves commands for other features alone. It runs on the host, connected through the
 * forwarded port: the broker sees a local client.
 */
async function startThirdPartyApp(vm: Vm): Promise<MqttClient> {
  const app = await client(vm, 'third-party');
  app.on('message', (topic, payload) => {
    const m = /^command\/\/\/req\/([^/]+)\//.exec(topic);
    let env: { topic: string; headers: Record<string, unknown>; path: string };
    try {
      env = JSON.parse(payload.toString()) as typeof env;
    } catch {
      return; // not a Ditto envelope: nothing to answer
    }
    if (!m || !env.path?.startsWith(`/features/${THIRD_PARTY_FEATURE}/inbox/messages/`)) return;
    const response = {
      topic: env.topic,
      headers: { 'correlation-id': env.headers['correlation-id'], 'content-type': 'application/json' },
      path: env.path.replace('/inbox/', '/outbox/'),
      value: THIRD_PARTY_VALUE,
      status: 200,
    };
    void app.publishAsync(`command///res/${m[1]}/200`, JSON.stringify(response), { qos: 1 });
  });
  await app.subscribeAsync('command///req/#', { qos: 1 });
  return app;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const oneAnswerPerCommand: Scenario = {
  name: 'one-answer-per-command',
  proves:
    'with the per-app units, the connector and a third-party local app sharing the gateway thing, a command from the cloud to each feature (SoftwareUpdatable, AutoUploadable, ContainerFactory, the third-party one) gets exactly one response, its owner\'s, and one to a feature nobody serves gets none; the install runs to FINISHED_SUCCESS, AutoUploadable trigger → request → start uploads the file to the host, a Metrics request brings data messages from the packaged system-metrics, and a backup uploaded to the host restores the directory under the hardened file-backup unit',
  timeoutMs: 7 * 60_000,
  skip: ({ apps }) => {
    const missing = ['connector', 'software-update', 'file-upload'].filter((a) => !apps.some((p) => p.app === a));
    return missing.length > 0 ? `not packaged: ${missing.join(', ')}` : false;
  },
  async run({ vm, apps, cloud, log }) {
    const id = randomUUID().slice(0, 8);
    // file-upload as packaged: its stub conffile keeps the default glob /var/tmp/file-upload/*.*.
    const fuConfig = JSON.parse((await vm.sh('cat /etc/ledge/file-upload.json')).stdout) as { files?: string };
    assert.ok(fuConfig.files === undefined || fuConfig.files === `${UPLOAD_DIR}/*.*`, `file-upload's files glob is ${fuConfig.files}`);
    const file = `${UPLOAD_DIR}/ledge-e2e-${id}.log`;
    const made = (await vm.sh(`if [ -d ${UPLOAD_DIR} ]; then echo kept; else mkdir -m 755 ${UPLOAD_DIR} && echo made; fi`)).stdout.trim() === 'made';
    const fileSha = (await vm.sh(`head -c 49152 /dev/urandom > ${file} && chmod 644 ${file} && sha256sum ${file}`)).stdout.split(' ')[0];
    const script = Buffer.from(`#!/bin/sh\necho ${id} > ${MARKER}\nexit 0\n`);
    cloud.files.set(`/one-answer-${id}.sh`, script);
    const withCm = apps.some((a) => a.app === 'container-management') && (await isActive(vm, 'ledge-container-management.service'));
    const withMetrics = apps.some((a) => a.app === 'system-metrics');
    const withBackup = apps.some((a) => a.app === 'file-backup');
    // file-backup as packaged: its default dir under the unit's state directory, a file the unit's user owns.
    const BACKUP_DIR = '/var/lib/ledge/file-backup/data';
    if (withBackup) await vm.sh(`mkdir -p ${BACKUP_DIR}/conf && echo 'mode=${id}' > ${BACKUP_DIR}/conf/app.conf && chown -R ledge:ledge ${BACKUP_DIR}`);

    const cmd = (label: string, thingId: string, featureId: string, subject: string, value: unknown, expect?: Command['expect']): Command => ({
      label,
      thingId,
      featureId,
      subject,
      value,
      ...(expect ? { expect } : {}),
      requestId: `e2e-oa-${label}-${id}`,
      correlationId: `e2e-oa-${label}-${id}`,
    });
    const suCid = `e2e-oa-su-${id}`;
    const upCid = `e2e-oa-up-${id}`;
    const commands: Command[] = [
      cmd('nobody', DEVICE, NOBODYS_FEATURE, 'ping', {}),
      cmd('install', DEVICE, 'SoftwareUpdatable', 'install', installValue({ correlationId: suCid, module: 'e2e-one-answer', path: `/one-answer-${id}.sh`, script }), { status: 204, owner: 'software-update' }),
      cmd('trigger', DEVICE, 'AutoUploadable', 'trigger', { correlationId: upCid }, { status: 204, owner: 'file-upload' }),
      cmd('third-party', DEVICE, THIRD_PARTY_FEATURE, 'ping', {}, { status: 200, owner: 'the third-party app', check: (v) => JSON.stringify(v) === JSON.stringify(THIRD_PARTY_VALUE) }),
      // An invalid create: only container management can say what is wrong with it (no registry needed).
      ...(withCm
        ? [cmd('create', CONTAINERS_THING, 'ContainerFactory', 'create', {}, { status: 400, owner: 'container management', check: (v) => (v as { error?: string; message?: string }).error === 'messages:parameter.invalid' && /imageRef/.test((v as { message?: string }).message ?? '') })]
        : []),
    ];
    // System metrics on the packaged arm64 gateway: a request from the cloud, then data messages at the cloud.
    const metricsCid = `e2e-oa-metrics-${id}`;
    if (withBackup) commands.push(cmd('backup', DEVICE, 'BackupAndRestore', 'backup', { correlationId: `e2e-oa-backup-${id}` }, { status: 204, owner: 'file-backup' }));
    if (withMetrics) commands.push(cmd('metrics', DEVICE, 'Metrics', 'request', { frequency: '1s', filter: [{ id: ['cpu.utilization', 'memory.*'], originator: 'SYSTEM' }, { originator: 'node' }] }, { status: 204, owner: 'system-metrics' }));
    if (!withCm) log('container management not running: no ContainerFactory command');

    const north = await connectCloud(cloud);
    const bus = await client(vm, 'answers');
    const thirdParty = await startThirdPartyApp(vm);
    const send = (c: Command) =>
      north.publishAsync(commandTopic(c.thingId, c.requestId, c.subject), JSON.stringify(commandEnvelope({ thingId: c.thingId, featureId: c.featureId, subject: c.subject, correlationId: c.correlationId, value: c.value })), { qos: 1 });
    try {
      const atCloud = countAnswers(north);
      const onBus = countAnswers(bus);
      const installStatuses: string[] = [];
      let installMessage = '';
      const requests: { correlationId: string; options: Record<string, string> }[] = [];
      const lastUpload = new Map<string, { state: string; progress?: number; message?: string }>();
      const backupOps: { correlationId: string; state: string; message?: string }[] = [];
      const backupRequests: { correlationId: string; options: Record<string, string> }[] = [];
      const metrics: { timestamp: number; snapshot: { originator: string; measurements: { id: string; value: number }[] }[] }[] = [];
      north.on('message', (topic, payload) => {
        if (!/^event(\/|$)/.test(topic)) return;
        let env: { path?: string; value?: { correlationId?: string; status?: string; state?: string; options?: Record<string, string> } };
        try {
          env = JSON.parse(payload.toString()) as typeof env;
        } catch {
          return; // not an envelope: none of the events waited for
        }
        const v = env.value;
        if (env.path === '/features/SoftwareUpdatable/properties/status/lastOperation' && v?.correlationId === suCid && v.status) {
          installStatuses.push(v.status);
          installMessage = (v as { message?: string }).message ?? '';
        }
        else if (env.path === '/features/AutoUploadable/outbox/messages/request' && v?.correlationId?.startsWith(`${upCid}#`)) requests.push(v as (typeof requests)[number]);
        else if (env.path === '/features/AutoUploadable/properties/lastUpload' && v?.correlationId?.startsWith(`${upCid}#`)) lastUpload.set(v.correlationId, v as { state: string });
        else if (env.path === '/features/BackupAndRestore/properties/lastOperation' && v?.correlationId?.startsWith('e2e-oa-')) backupOps.push(v as (typeof backupOps)[number]);
        else if (env.path === '/features/BackupAndRestore/outbox/messages/request' && v?.correlationId?.startsWith(`e2e-oa-backup-${id}`)) backupRequests.push(v as (typeof backupRequests)[number]);
        else if (env.path === '/features/Metrics/outbox/messages/data' && (env as { headers?: Record<string, unknown> }).headers?.['correlation-id'] === metricsCid) metrics.push(v as unknown as (typeof metrics)[number]);
      });
      await north.subscribeAsync(['command//+/res/#', 'event/#'], { qos: 1 });
      let linked = false;
      bus.on('message', (topic, payload) => {
        if (topic !== 'edge/connection/remote/status') return;
        try {
          linked = (JSON.parse(payload.toString()) as { connected?: boolean }).connected === true;
        } catch {
          linked = false;
        }
      });
      await bus.subscribeAsync(['command//+/res/#', 'c//+/s/#', 'edge/connection/remote/status'], { qos: 1 });
      // The scenario before may have restarted the connector (all-in-one-switch): a command sent while it
      // is not subscribed at the cloud would be lost there (Hono's sessions are clean), not mis-answered.
      log(`connector linked to the cloud ${await waitFor('connected:true on edge/connection/remote/status', 120_000, async () => linked)} ms into the scenario's wait`);
      // Each Ledge app answers commands once it serves its thing (after the connector answered its
      // identity request); a command that arrives before is not for a thing it knows, and goes unanswered
      // as it would with Kanto's apps. The scenario before may have restarted any of them.
      const owners = ['ledge-software-update', 'ledge-file-upload', ...(withCm ? ['ledge-container-management'] : []), ...(withMetrics ? ['ledge-system-metrics'] : []), ...(withBackup ? ['ledge-file-backup'] : [])];
      const journalOf = (unit: string) => `journalctl _SYSTEMD_INVOCATION_ID=$(systemctl show -p InvocationID --value ${unit}.service) -o cat --no-pager`;
      for (const unit of owners) {
        const serving = async () => (await vm.sh(`${journalOf(unit)} | grep -q '"msg":"serving thing"'`, { allowFail: true })).code === 0;
        log(`${unit} serving its thing ${await waitFor(`${unit} serving its thing`, 120_000, serving)} ms into the scenario's wait`);
      }
      if (withCm) {
        // Commands to the containers thing reach the gateway only once the connector subscribed to its
        // command topic at the cloud. The broker replays container management's subscription to a connector
        // that starts after it (all-in-one-switch restarts both), so this holds whatever the order.
        const subscribed = `${journalOf('ledge-connector')} | grep 'sub-device command subscriptions changed' | grep -q '${CONTAINERS_THING}/req'`;
        const seen = async () => (await vm.sh(subscribed, { allowFail: true })).code === 0;
        log(`connector subscribed to ${CONTAINERS_THING}'s commands ${await waitFor(`the connector's subscription to ${CONTAINERS_THING}'s commands`, 60_000, seen)} ms later`);
      }

      const t0 = Date.now();
      await Promise.all(commands.map(send));
      const answered = commands.filter((c) => c.expect);
      const seenSoFar = () => answered.map((c) => `${c.label}: cloud [${(atCloud.get(c.requestId) ?? []).map((a) => a.status).join(',')}], bus [${(onBus.get(c.requestId) ?? []).map((a) => a.status).join(',')}]`).join('; ');
      await waitFor('an answer at the cloud to every served feature', 120_000, async () => answered.every((c) => atCloud.has(c.requestId))).catch((err: unknown) => {
        throw new Error(`${(err as Error).message} (${seenSoFar()})`);
      });
      log(`answers at the cloud within ${Date.now() - t0} ms: ${answered.map((c) => `${c.label} ${atCloud.get(c.requestId)![0]!.status}`).join(', ')}`);

      // The trigger offers each file of the glob; ours is started, any other is withdrawn again.
      await waitFor(`file-upload's request for ${file}`, 60_000, async () => requests.some((r) => r.options['file.path'] === file));
      const ours = requests.find((r) => r.options['file.path'] === file)!;
      for (const other of requests.filter((r) => r !== ours)) {
        const value = { correlationId: other.correlationId, statusCode: '0', message: 'not this test' };
        const envelope = commandEnvelope({ thingId: DEVICE, featureId: 'AutoUploadable', subject: 'cancel', correlationId: `${other.correlationId}-cancel`, value, responseRequired: false });
        await north.publishAsync(commandTopic(DEVICE, `e2e-oa-cancel-${randomUUID().slice(0, 8)}`, 'cancel'), JSON.stringify(envelope), { qos: 1 });
      }
      const sink = `/upload/ledge-e2e-${id}.log`;
      const start = cmd('start', DEVICE, 'AutoUploadable', 'start', { correlationId: ours.correlationId, options: { 'storage.provider': 'generic', 'https.url': hostUrl(sink), 'https.method': 'PUT' } }, { status: 204, owner: 'file-upload' });
      commands.push(start);
      await send(start);
      const t1 = Date.now();
      await waitFor('the upload to end', 120_000, async () => ['SUCCESS', 'FAILED', 'CANCELED'].includes(lastUpload.get(ours.correlationId)?.state ?? ''));
      const upload = lastUpload.get(ours.correlationId)!;
      log(`upload of ${file} (${requests.length} file(s) offered) ${upload.state} ${Date.now() - t1} ms after start${upload.message ? `: ${upload.message}` : ''}`);
      await waitFor('the install to end', 180_000, async () => installStatuses.includes('FINISHED_SUCCESS') || installStatuses.includes('FINISHED_ERROR'));
      log(`install ${Date.now() - t0} ms after the commands: ${installStatuses.join(' → ')}`);
      await sleep(SETTLE_MS);

      // Every answer, at the cloud and on the bus, before the first assertion: a failure shows all of them.
      const seen = (m: Map<string, Answer[]>, c: Command) => (m.get(c.requestId) ?? []).map((a) => a.status);
      log(`answers (cloud / bus): ${commands.map((c) => `${c.label} [${seen(atCloud, c).join(',')}] / [${seen(onBus, c).join(',')}]`).join('; ')}`);
      const problems: string[] = [];
      for (const c of commands) {
        const want = c.expect ? [c.expect.status] : [];
        const who = c.expect ? `${c.featureId} (${c.expect.owner})` : `${c.featureId} (served by nobody)`;
        if (JSON.stringify(seen(atCloud, c)) !== JSON.stringify(want)) problems.push(`${c.subject} to ${who}: the cloud got [${seen(atCloud, c).join(', ')}], expected [${want.join(', ')}]`);
        if (JSON.stringify(seen(onBus, c)) !== JSON.stringify(want)) problems.push(`${c.subject} to ${who}: the gateway's apps answered [${seen(onBus, c).join(', ')}], expected [${want.join(', ')}]`);
        const first = atCloud.get(c.requestId)?.[0];
        if (c.expect?.check && first && !c.expect.check(first.value)) problems.push(`${c.subject} to ${who}: answer ${JSON.stringify(first.value)} is not the owner's`);
      }
      assert.deepEqual(problems, [], 'one answer per command, the owner\'s');

      assert.equal(upload.state, 'SUCCESS', `lastUpload ${JSON.stringify(upload)}`);
      const got = cloud.uploads.get(sink);
      assert.ok(got, `nothing arrived at the host's ${sink}`);
      assert.equal(createHash('sha256').update(got).digest('hex'), fileSha, 'the uploaded bytes are the file\'s');
      assert.deepEqual(withoutProgress(installStatuses), INSTALL_STATUSES, `install: ${installMessage}`);
      assert.equal((await vm.sh(`cat ${MARKER}`)).stdout.trim(), id, 'the install script ran on the gateway');
      if (withBackup) {
        // The backup's archive goes to the host like any upload; a restore from there brings the directory back.
        const backupCid = `e2e-oa-backup-${id}`;
        await waitFor('the backup\'s upload request', 60_000, async () => backupRequests.length > 0);
        const archive = `/upload/ledge-e2e-backup-${id}.zip`;
        await send(cmd('backup-start', DEVICE, 'BackupAndRestore', 'start', { correlationId: `${backupCid}#1`, options: { 'storage.provider': 'generic', 'https.url': hostUrl(archive), 'https.method': 'PUT' } }));
        await waitFor('the backup archive at the host', 60_000, async () => cloud.uploads.has(archive));
        assert.equal(cloud.uploads.get(archive)!.subarray(0, 2).toString(), 'PK', 'a zip file');
        await vm.sh(`echo broken > ${BACKUP_DIR}/conf/app.conf && touch ${BACKUP_DIR}/stray`);
        cloud.files.set(`/restore-${id}.zip`, cloud.uploads.get(archive)!);
        const restoreCid = `e2e-oa-restore-${id}`;
        await send(cmd('restore', DEVICE, 'BackupAndRestore', 'restore', { correlationId: restoreCid, options: { 'https.url': hostUrl(`/restore-${id}.zip`) } }));
        const ended = () => backupOps.find((o) => o.correlationId === restoreCid && o.state !== 'RESTORE_STARTED');
        await waitFor('the restore to end', 60_000, async () => ended() !== undefined);
        const end = ended()!;
        assert.equal(end.state, 'RESTORE_FINISHED', JSON.stringify(end));
        assert.equal((await vm.sh(`cat ${BACKUP_DIR}/conf/app.conf; ls ${BACKUP_DIR}`)).stdout, `mode=${id}\nconf\n`, 'the directory as backed up');
        log(`backup ${backupOps.filter((o) => o.correlationId === backupCid).map((o) => o.state).join(' → ')}, archive ${cloud.uploads.get(archive)!.length} bytes at the host, restore ${end.state}`);
        cloud.files.delete(`/restore-${id}.zip`);
      }
      if (withMetrics) {
        await waitFor('two Metrics data messages at the cloud', 30_000, async () => metrics.length >= 2);
        const last = metrics.at(-1)!;
        const system = last.snapshot.find((o) => o.originator === 'SYSTEM')?.measurements.map((m) => m.id);
        assert.deepEqual(system, ['cpu.utilization', 'memory.total', 'memory.available', 'memory.used', 'memory.utilization'], JSON.stringify(last));
        assert.ok(last.snapshot.some((o) => o.originator === 'node'), `the node processes of the gateway: ${JSON.stringify(last)}`);
        log(`${metrics.length} Metrics data messages at the cloud; the last: ${JSON.stringify(last)}`);
        await send(cmd('metrics-stop', DEVICE, 'Metrics', 'request', { frequency: 0 }));
      }
    } finally {
      await Promise.allSettled([close(thirdParty), close(bus), closeCloud(north)]);
      await vm.sh(`rm -f ${file} ${MARKER}${made ? ` && rmdir ${UPLOAD_DIR}` : ''}`, { allowFail: true });
      if (withBackup) await vm.sh('rm -rf /var/lib/ledge/file-backup/data', { allowFail: true });
      cloud.files.delete(`/one-answer-${id}.sh`);
    }
  },
};
