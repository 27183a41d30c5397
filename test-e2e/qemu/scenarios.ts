// What the QEMU test proves about the packaged stack, in order; each scenario leaves the stack running as
// it found it (test-e2e/qemu/README.md "Adding a scenario"; a long one gets its own file in scenarios/).
// remove-and-reinstall purges and reinstalls every Ledge package, so it runs last; it puts /etc/ledge
// back, but the apps' state is gone after it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { AppPackage } from '../../packaging/lib/apps.mjs';
import { HOST_ALIAS, type Vm } from './lib/vm';
import { DEB_DIR_IN_GUEST } from './lib/install';
import { assertStopped, brokerAnswers, client, close, exists, isActive, ledgePackages, roundTrip, show, waitFor, watchHealth, within } from './lib/guest-checks';
import { CLOUD_PORT_IN_GUEST, commandEnvelope, DEVICE, INSTALL_STATUSES, installValue, withoutProgress, type Cloud } from './lib/cloud';
import { oneAnswerPerCommand } from './scenarios/one-answer-per-command';
import { logsUpload } from './scenarios/logs-upload';
import { noRootThroughTheBus } from './scenarios/no-root-through-the-bus';
import { powerCut } from './scenarios/power-cut';
import { desiredState } from './scenarios/desired-state';

export interface ScenarioContext {
  cloud: Cloud;
  vm: Vm;
  /** The packaged apps (packaging/lib/apps.mjs), the CLI first. */
  apps: readonly AppPackage[];
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** What a user relies on that this proves. */
  proves: string;
  timeoutMs: number;
  /** A reason to skip, e.g. when the app it needs was not packaged. */
  skip?: (ctx: Pick<ScenarioContext, 'apps'>) => string | false;
  run(ctx: ScenarioContext): Promise<void>;
}

const perAppUnits = (ctx: Pick<ScenarioContext, 'apps'>) => ctx.apps.filter((a) => a.unitName && a.enable).map((a) => a.unitName);
/** User= of an app's unit as packaged (root for software update and container management). */
const unitUser = (ctx: Pick<ScenarioContext, 'apps'>, unit: string) =>
  /^User=(\S+)$/m.exec(readFileSync(ctx.apps.find((a) => a.unitName === unit)!.unitSource, 'utf8'))?.[1] ?? 'root';
/** The per-app units the all-in-one ledge.service replaces (they say Conflicts=ledge.service). */
const replacedByAllInOne = (ctx: Pick<ScenarioContext, 'apps'>) =>
  perAppUnits(ctx).filter((unit) => /^Conflicts=ledge\.service$/m.test(readFileSync(ctx.apps.find((a) => a.unitName === unit)!.unitSource, 'utf8')));

const lastLines = (out: string) => out.trim().split('\n').slice(-3).join(' | ');

export const scenarios: readonly Scenario[] = [
  {
    name: 'units-started',
    proves: 'installing the packages in an image build enables every per-app unit; at boot systemd starts them as their users (ledge; root for software update and container management); the all-in-one unit stays off',
    timeoutMs: 5 * 60_000,
    async run({ vm, apps, log }) {
      const state = (await vm.sh('systemctl is-system-running --wait', { allowFail: true, timeoutMs: 240_000 })).stdout.trim();
      const failed = (await vm.sh('systemctl list-units --failed --plain --no-legend', { allowFail: true })).stdout.trim();
      log(`system ${state}${failed ? `; failed units: ${failed}` : ''}`);
      for (const unit of perAppUnits({ apps })) {
        await waitFor(`${unit} active`, 120_000, () => isActive(vm, unit));
        assert.equal((await vm.sh(`systemctl is-enabled ${unit}`)).stdout.trim(), 'enabled', unit);
        const pid = await show(vm, unit, 'MainPID');
        const user = unitUser({ apps }, unit);
        assert.equal((await vm.sh(`stat -c %U /proc/${pid}`)).stdout.trim(), user, `${unit} runs as ${user}`);
      }
      assert.doesNotMatch(failed, /ledge/, 'no Ledge unit failed');
      assert.equal((await vm.sh('systemctl is-enabled ledge.service', { allowFail: true })).stdout.trim(), 'disabled');
      assert.equal((await vm.sh('systemctl is-active ledge.service', { allowFail: true })).stdout.trim(), 'inactive');
      assert.equal((await vm.sh('stat -c %U:%a /var/lib/ledge/broker')).stdout.trim(), 'ledge:750');
      const exposure = (await vm.sh('systemd-analyze security --no-pager ledge-broker.service | tail -1', { allowFail: true })).stdout.trim();
      if (exposure) log(`ledge-broker.service ${exposure}`);
    },
  },
  {
    name: 'mqtt-round-trip',
    proves: 'the broker answers MQTT through the forwarded port: publish QoS 1 from the host, receive it on the host',
    timeoutMs: 2 * 60_000,
    async run({ vm, log }) {
      log(`broker answered after ${await brokerAnswers(vm, 60_000)} ms`);
      log(`round trip ${await roundTrip(vm, 'ledge/e2e/round-trip')} ms`);
    },
  },
  {
    name: 'retained-survives-restart',
    proves: 'state in /var/lib/ledge/broker is writable under the unit hardening and survives a service restart',
    timeoutMs: 3 * 60_000,
    async run({ vm, log }) {
      const topic = 'ledge/e2e/retained';
      const payload = randomUUID();
      const pub = await client(vm, 'retain');
      await within(pub.publishAsync(topic, payload, { qos: 1, retain: true }), 15_000, 'PUBACK');
      await close(pub);
      await vm.sh('systemctl restart ledge-broker.service', { timeoutMs: 120_000 });
      log(`broker back after ${await brokerAnswers(vm, 90_000)} ms`);
      const sub = await client(vm, 'retained');
      try {
        const got = new Promise<string>((resolve) => sub.on('message', (t, p) => t === topic && resolve(p.toString())));
        await within(sub.subscribeAsync(topic, { qos: 1 }), 15_000, 'SUBACK');
        assert.equal(await within(got, 15_000, 'the retained message after the restart'), payload);
      } finally {
        await close(sub);
      }
    },
  },
  {
    name: 'restart-on-crash',
    proves: 'Restart=on-failure brings the broker back after it is killed; a killed app is announced down (lost) on edge/health/<app> by its will, then up again from the process systemd restarted',
    timeoutMs: 4 * 60_000,
    async run({ vm, apps, log }) {
      const before = await show(vm, 'ledge-broker.service', 'MainPID');
      await vm.sh('systemctl kill --signal=SIGKILL ledge-broker.service');
      const ms = await waitFor('a new broker process', 90_000, async () => {
        const pid = await show(vm, 'ledge-broker.service', 'MainPID');
        return pid !== '0' && pid !== before && (await isActive(vm, 'ledge-broker.service'));
      });
      assert.ok(Number(await show(vm, 'ledge-broker.service', 'NRestarts')) >= 1);
      log(`restarted by systemd after ${ms} ms; answering after ${await brokerAnswers(vm, 90_000)} ms`);

      const unit = 'ledge-file-upload.service';
      if (!perAppUnits({ apps }).includes(unit)) return log(`${unit} not packaged: no health check`);
      const watcher = await watchHealth(vm, 'file-upload');
      const health = watcher.seen;
      try {
        const first = await show(vm, unit, 'MainPID');
        // killed while away from the restarted broker, it would leave no will there (its old will, from the
        // crashed broker's run, is published by aedes' sweep of dead brokers' wills within 4 minutes, or
        // replaced when the app comes back)
        await watcher.live(first, 90_000);
        const seen = health.length;
        await vm.sh(`systemctl kill --signal=SIGKILL ${unit}`);
        const downMs = await waitFor('file upload down (lost) from its will', 60_000, async () => health.slice(seen).some((h) => h.status === 'down' && h.reason === 'lost' && String(h.pid) === first));
        const upMs = await waitFor('file upload up again from the restarted process', 120_000, async () => {
          const pid = await show(vm, unit, 'MainPID');
          return pid !== '0' && pid !== first && health.at(-1)?.status === 'up' && String(health.at(-1)!.pid) === pid;
        });
        log(`file upload SIGKILLed: down (lost) on the bus after ${downMs} ms, up again (new pid) ${upMs} ms later`);
      } finally {
        await watcher.close();
      }
    },
  },
  {
    name: 'watchdog',
    proves: 'a hung app (its process stopped with SIGSTOP: no event loop, no pings) is announced down (lost) on edge/health/<app> once its keepalive runs out, aborted by the systemd watchdog (WatchdogSec=30s) and restarted, and comes back up; the Type=notify units are active only once the app said READY=1',
    timeoutMs: 4 * 60_000,
    async run({ vm, apps, log }) {
      const unit = 'ledge-file-upload.service';
      if (!perAppUnits({ apps }).includes(unit)) return log(`${unit} not packaged: no watchdog check`);
      assert.equal(await show(vm, unit, 'Type'), 'notify');
      assert.equal(await show(vm, unit, 'WatchdogUSec'), '30s');
      const watcher = await watchHealth(vm, 'file-upload');
      const health = watcher.seen;
      try {
        const hung = await show(vm, unit, 'MainPID');
        await watcher.live(hung, 60_000);
        const restarts = Number(await show(vm, unit, 'NRestarts'));
        const since = (await vm.sh('date +%s')).stdout.trim();
        await vm.sh(`kill -STOP ${hung}`);
        const t0 = Date.now();
        const downMs = await waitFor('file upload down (lost): its health connection stopped answering', 60_000, async () => health.some((h) => h.status === 'down' && h.reason === 'lost' && String(h.pid) === hung));
        const restartMs = await waitFor('the watchdog to restart file upload', 120_000, async () => {
          const pid = await show(vm, unit, 'MainPID');
          return pid !== '0' && pid !== hung && (await isActive(vm, unit));
        });
        assert.equal(Number(await show(vm, unit, 'NRestarts')), restarts + 1, 'one restart');
        const journal = (await vm.sh(`journalctl -u ${unit} --since @${since} --no-pager -o cat`)).stdout;
        assert.match(journal, /[Ww]atchdog timeout/, 'systemd says it was the watchdog');
        const fresh = await show(vm, unit, 'MainPID');
        await waitFor('file upload up again', 60_000, async () => health.at(-1)?.status === 'up' && String(health.at(-1)!.pid) === fresh);
        log(`SIGSTOP: down on the bus after ${downMs} ms, restarted by the watchdog ${restartMs} ms later (${Date.now() - t0} ms in all), up again (pid ${hung} → ${fresh})`);
      } finally {
        await watcher.close();
      }
    },
  },
  {
    name: 'journal-json',
    proves: 'the apps log JSON lines to the journal (one object per line, with level and msg)',
    timeoutMs: 60_000,
    async run({ vm }) {
      const lines = (await vm.sh('journalctl -u ledge-broker.service -o cat --no-pager -n 30')).stdout.split('\n').filter((l) => l.startsWith('{'));
      assert.ok(lines.length > 0, 'JSON lines in the journal');
      for (const line of lines) {
        const rec = JSON.parse(line) as Record<string, unknown>;
        assert.ok('level' in rec && 'msg' in rec, line);
      }
    },
  },
  {
    name: 'connector-cloud',
    proves: 'the packaged connector reaches a cloud broker on the host (through a QEMU guestfwd) and announces connected and the device identity locally',
    timeoutMs: 4 * 60_000,
    async run({ vm, log }) {
      const config = { address: `tcp://${HOST_ALIAS}:${CLOUD_PORT_IN_GUEST}`, deviceId: DEVICE, tenantId: 'demo' };
      await vm.sh(`printf '%s' '${JSON.stringify(config)}' > /etc/ledge/connector.json && systemctl restart ledge-connector`, { timeoutMs: 120_000 });
      await brokerAnswers(vm, 90_000);
      const c = await client(vm, 'status');
      try {
        let status: { connected?: boolean; cause?: string } = {};
        let identity = '';
        c.on('message', (topic, payload) => {
          if (topic === 'edge/connection/remote/status') status = JSON.parse(payload.toString() || '{}') as typeof status;
          else if (topic === 'edge/thing/response') identity = payload.toString();
        });
        await c.subscribeAsync(['edge/connection/remote/status', 'edge/thing/response'], { qos: 1 });
        const ms = await waitFor('connected:true on edge/connection/remote/status', 120_000, async () => status.connected === true);
        log(`connector connected to the host cloud ${ms} ms after the subscription (last status ${JSON.stringify(status)})`);
        await c.publishAsync('edge/thing/request', '', { qos: 0 });
        await waitFor('edge/thing/response', 20_000, async () => identity !== '');
        assert.equal((JSON.parse(identity) as { deviceId: string }).deviceId, DEVICE);
      } finally {
        await close(c);
      }
    },
  },
  {
    name: 'ledge-status',
    proves: '`ledge status` on the gateway (as root): exit 0 with the cloud link connected, every packaged app up on edge/health/<app> with its unit\'s MainPID and NRestarts, the containers from container management, the data directories; --json says the same; `ledge logs broker -n 5` prints the broker\'s last 5 journal lines',
    timeoutMs: 2 * 60_000,
    async run({ vm, apps, log }) {
      const expected = ['broker', ...perAppUnits({ apps }).map((u) => u.replace(/^ledge-/, '').replace(/\.service$/, '')).filter((a) => a !== 'broker')].sort();
      let last = '';
      const ms = await waitFor('ledge status exit 0', 60_000, async () => {
        const r = await vm.sh('ledge status --json', { allowFail: true });
        last = `${r.code}: ${r.stdout}${r.stderr}`;
        return r.code === 0;
      }).catch((err: Error) => {
        throw new Error(`${err.message}; last: ${last}`);
      });
      const report = JSON.parse(last.slice(last.indexOf(':') + 1)) as { apps: Record<string, { status: string; pid: number; restarts?: number }>; cloud?: { connected: boolean }; containers?: { total?: number; unavailable?: string }; disk: { path: string }[]; problems: string[] };
      assert.deepEqual(Object.keys(report.apps).sort(), expected);
      for (const app of expected) {
        assert.equal(report.apps[app]!.status, 'up', app);
        assert.equal(String(report.apps[app]!.pid), await show(vm, `ledge-${app}.service`, 'MainPID'), `${app}: the unit's process`);
        assert.equal(report.apps[app]!.restarts, Number(await show(vm, `ledge-${app}.service`, 'NRestarts')), `${app}: restarts as systemd counts them`);
      }
      assert.equal(report.cloud?.connected, true);
      if (expected.includes('container-management')) assert.equal(typeof report.containers?.total, 'number', JSON.stringify(report.containers));
      assert.ok(report.disk.some((d) => d.path === '/var/lib/ledge/broker'), JSON.stringify(report.disk));
      const text = (await vm.sh('ledge status')).stdout;
      assert.match(text, /^Status: {5}OK$/m);
      log(`ledge status OK after ${ms} ms:\n${text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')}`);
      // ledge logs: the broker's own journal lines, as logged
      const lines = (await vm.sh('ledge logs broker -n 5 --raw')).stdout.trim().split('\n');
      assert.equal(lines.length, 5, lines.join('\n'));
      for (const l of lines) assert.equal((JSON.parse(l) as { name?: string }).name, 'broker', l);
    },
  },
  {
    name: 'ditto-roundtrip',
    proves: 'a Ditto command sent at the cloud reaches a local app on the gateway, its response and an event go back up',
    timeoutMs: 3 * 60_000,
    async run({ vm, cloud, log }) {
      const local = await client(vm, 'app');
      const north = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.port}`, { reconnectPeriod: 0 });
      try {
        const envelope = (status?: number) =>
          JSON.stringify({
            topic: `${DEVICE.replace(':', '/')}/things/live/messages/ping`,
            headers: { 'correlation-id': 'e2e-1', timeout: '30s', 'response-required': true },
            path: status === undefined ? '/features/E2E/inbox/messages/ping' : '/features/E2E/outbox/messages/ping',
            value: 'hello',
            ...(status === undefined ? {} : { status }),
          });
        // The local app: answers every command of the gateway's own thing.
        local.on('message', (topic) => {
          const m = /^command\/\/\/req\/([^/]+)\//.exec(topic);
          if (m) void local.publishAsync(`command///res/${m[1]}/200`, envelope(200), { qos: 1 });
        });
        await local.subscribeAsync('command///req/#', { qos: 1 });
        const upstream: string[] = [];
        north.on('message', (topic) => void upstream.push(topic));
        await north.subscribeAsync(['command///res/#', 'command//+/res/#', 'event/#'], { qos: 1 });
        const t0 = Date.now();
        await north.publishAsync(`command///req/e2e-req-1/ping`, envelope(), { qos: 1 });
        await waitFor('the response at the cloud', 60_000, async () => upstream.some((t) => t.endsWith('/res/e2e-req-1/200')));
        log(`round trip cloud → gateway app → cloud in ${Date.now() - t0} ms`);
        await local.publishAsync('e', JSON.stringify({ topic: `${DEVICE.replace(':', '/')}/things/twin/commands/modify`, headers: {}, path: '/features/E2E/properties/x', value: 1 }), { qos: 1 });
        await waitFor('the event at the cloud', 60_000, async () => upstream.some((t) => t.startsWith('event')));
        log(`cloud saw: ${upstream.join(', ')}`);
      } finally {
        await close(local);
        await north.endAsync().catch(() => north.end(true));
      }
    },
  },
  {
    name: 'software-update',
    proves: 'a SoftwareUpdatable install sent from the cloud downloads a script from the host, verifies it, runs it on the gateway and reports FINISHED_SUCCESS',
    timeoutMs: 4 * 60_000,
    skip: (ctx) => (ctx.apps.some((a) => a.app === 'software-update') ? false : 'ledge-software-update not installed'),
    async run({ vm, cloud, log }) {
      const script = Buffer.from('#!/bin/sh\necho "progress 50" >/dev/null\necho ledge-e2e > /var/lib/ledge-e2e-installed\nexit 0\n');
      cloud.files.set('/install.sh', script);
      const north = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.port}`, { reconnectPeriod: 0 });
      try {
        const statuses: string[] = [];
        north.on('message', (_topic, payload) => {
          const env = JSON.parse(payload.toString()) as { path?: string; value?: { status?: string } };
          if (env.path === '/features/SoftwareUpdatable/properties/status/lastOperation' && env.value?.status) statuses.push(env.value.status);
        });
        await north.subscribeAsync('event/#', { qos: 1 });
        const cid = `e2e-su-${randomUUID().slice(0, 8)}`;
        const value = installValue({ correlationId: cid, module: 'e2e-hello', path: '/install.sh', script });
        const envelope = commandEnvelope({ thingId: DEVICE, featureId: 'SoftwareUpdatable', subject: 'install', correlationId: cid, value });
        const t0 = Date.now();
        await north.publishAsync('command///req/e2e-su-1/install', JSON.stringify(envelope), { qos: 1 });
        await waitFor('FINISHED_SUCCESS in lastOperation', 180_000, async () => statuses.includes('FINISHED_SUCCESS') || statuses.includes('FINISHED_ERROR'));
        log(`software update ${Date.now() - t0} ms: ${statuses.join(' → ')}`);
        assert.deepEqual(withoutProgress(statuses), INSTALL_STATUSES);
        assert.equal((await vm.sh('cat /var/lib/ledge-e2e-installed')).stdout.trim(), 'ledge-e2e', 'the script ran on the gateway');
      } finally {
        await north.endAsync().catch(() => north.end(true));
      }
    },
  },
  {
    name: 'all-in-one-switch',
    proves: 'ledge.service (the unprivileged apps in one process) and the per-app units it replaces exclude each other, either serves MQTT, the root units run beside both',
    timeoutMs: 5 * 60_000,
    async run(ctx) {
      const { vm, log } = ctx;
      const units = replacedByAllInOne(ctx);
      const beside = perAppUnits(ctx).filter((u) => !units.includes(u));
      await vm.sh('systemctl start ledge.service', { timeoutMs: 120_000 });
      for (const unit of units) assert.equal(await isActive(vm, unit), false, `${unit} stopped by Conflicts=`);
      for (const unit of beside) assert.equal(await isActive(vm, unit), true, `${unit} (root, not hosted by ledge.service) keeps running`);
      log(`all-in-one answering after ${await brokerAnswers(vm, 90_000)} ms; round trip ${await roundTrip(vm, 'ledge/e2e/all-in-one')} ms`);
      await vm.sh(`systemctl start ${units.join(' ')}`, { timeoutMs: 120_000 });
      assert.equal(await isActive(vm, 'ledge.service'), false, 'ledge.service stopped by Conflicts=');
      for (const unit of units) await waitFor(`${unit} active again`, 60_000, () => isActive(vm, unit));
      await brokerAnswers(vm, 90_000);
    },
  },
  oneAnswerPerCommand,
  logsUpload,
  desiredState,
  noRootThroughTheBus,
  powerCut,
  {
    name: 'remove-and-reinstall',
    proves:
      'with systemd running, dpkg -r of every Ledge package stops every unit and removes units and bundles but keeps the conffiles, dpkg -P removes conffiles, state and enablement, and dpkg -i installs, enables and starts the units again',
    timeoutMs: 15 * 60_000,
    async run(ctx) {
      const { vm, apps, log } = ctx;
      const units = apps.filter((a) => a.unitName).map((a) => a.unitName);
      const before = await ledgePackages(vm);
      const installed = [...before].filter(([, s]) => s === 'ii').map(([p]) => p);
      for (const a of apps) assert.ok(installed.includes(a.pkg), `${a.pkg} installed before the removal`);
      // The admin's configuration (connector-cloud wrote connector.json), put back after the purge so that a
      // scenario appended after this one finds the stack as it was.
      await vm.sh('rm -rf /run/ledge-e2e-etc && cp -a /etc/ledge /run/ledge-e2e-etc');

      // All in one call, the metapackage included: dpkg removes the packages that depend on ledge-common first.
      let t = Date.now();
      const removed = await vm.sh(`dpkg -r ${installed.join(' ')} 2>&1`, { timeoutMs: 360_000 });
      log(`dpkg -r of ${installed.length} packages (${installed.join(' ')}) in ${Date.now() - t} ms: ${lastLines(removed.stdout)}`);
      const afterRemove = await ledgePackages(vm);
      assert.deepEqual([...afterRemove].filter(([, s]) => s !== 'rc'), [], 'every Ledge package removed (at most its conffiles left)');
      await assertStopped(vm, units);
      for (const a of apps) {
        assert.equal(await exists(vm, `/usr/lib/ledge/${a.app}/main.js`), false, `${a.pkg}: bundle removed`);
        assert.equal(await exists(vm, `/usr/bin/${a.bin}`), false, `${a.pkg}: /usr/bin/${a.bin} removed`);
        // Debian policy 10.7.3: remove keeps conffiles, only purge deletes them.
        if (a.hasConfig) assert.equal(await exists(vm, `/etc/ledge/${a.app}.json`), true, `${a.pkg}: conffile kept until purge`);
      }

      t = Date.now();
      const left = [...afterRemove.keys()];
      if (left.length > 0) await vm.sh(`dpkg -P ${left.join(' ')} 2>&1`, { timeoutMs: 360_000 });
      log(`dpkg -P of ${left.length} packages in ${Date.now() - t} ms`);
      assert.deepEqual([...(await ledgePackages(vm)).keys()], [], 'dpkg knows no Ledge package after the purge');
      for (const a of apps) {
        if (a.hasConfig) assert.equal(await exists(vm, `/etc/ledge/${a.app}.json`), false, `${a.pkg}: conffile purged`);
        if (a.app !== 'ledge') assert.equal(await exists(vm, `/var/lib/ledge/${a.app}`), false, `${a.pkg}: state purged`);
      }
      for (const unit of units) {
        const links = (await vm.sh(`find /etc/systemd/system -name '${unit}'`)).stdout.trim();
        assert.equal(links, '', `${unit}: enablement symlinks purged`);
      }
      assert.equal((await vm.sh('getent passwd ledge', { allowFail: true })).code, 0, 'the ledge user stays after purge (Debian policy 9.2.2)');

      t = Date.now();
      await vm.sh(`dpkg -i ${DEB_DIR_IN_GUEST}/*.deb`, { timeoutMs: 480_000 });
      log(`dpkg -i in ${Date.now() - t} ms`);
      const restored = (
        await vm.sh('for f in /run/ledge-e2e-etc/*.json; do b=$(basename "$f"); cmp -s "$f" "/etc/ledge/$b" || { cp "$f" "/etc/ledge/$b"; echo "${b%.json}"; }; done')
      ).stdout.split('\n').filter(Boolean);
      const restart = apps.filter((a) => restored.includes(a.app) && a.unitName && a.enable).map((a) => a.unitName);
      if (restart.length > 0) await vm.sh(`systemctl restart ${restart.join(' ')}`, { timeoutMs: 120_000 });
      log(`configuration put back: ${restored.join(', ') || 'nothing changed'}`);
      for (const unit of perAppUnits(ctx)) {
        await waitFor(`${unit} started by postinst`, 120_000, () => isActive(vm, unit));
        assert.equal((await vm.sh(`systemctl is-enabled ${unit}`)).stdout.trim(), 'enabled', `${unit} enabled again`);
      }
      for (const unit of units.filter((u) => !perAppUnits(ctx).includes(u))) {
        assert.equal((await vm.sh(`systemctl is-enabled ${unit}`, { allowFail: true })).stdout.trim(), 'disabled', `${unit} installed disabled again`);
        assert.equal(await isActive(vm, unit), false, `${unit} not started`);
      }
      log(`reinstalled; answering after ${await brokerAnswers(vm, 90_000)} ms; round trip ${await roundTrip(vm, 'ledge/e2e/reinstalled')} ms`);
    },
  },
];
