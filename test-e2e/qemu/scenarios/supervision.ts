// systemd runs and supervises the packaged apps: the units start at boot as their users, a killed app is
// restarted, a hung one is aborted by the watchdog, and the apps log JSON lines to the journal.
import assert from 'node:assert/strict';
import { brokerAnswers, isActive, show, waitFor, watchHealth } from '../lib/guest-checks';
import type { Scenario } from '../scenarios';
import { perAppUnits, unitUser } from './packaged-units';

export const unitsStarted: Scenario = {
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
};

export const restartOnCrash: Scenario = {
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
};

export const watchdog: Scenario = {
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
};

export const journalJson: Scenario = {
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
};
