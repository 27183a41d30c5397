// The packages on a running system: the all-in-one ledge.service and the per-app units it replaces exclude
// each other; removing, purging and reinstalling every Ledge package leaves the stack as it was.
import assert from 'node:assert/strict';
import { DEB_DIR_IN_GUEST } from '../lib/install';
import { assertStopped, brokerAnswers, exists, isActive, ledgePackages, roundTrip, waitFor } from '../lib/guest-checks';
import type { Scenario } from '../scenarios';
import { perAppUnits, replacedByAllInOne } from './packaged-units';

const lastLines = (out: string) => out.trim().split('\n').slice(-3).join(' | ');

export const allInOneSwitch: Scenario = {
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
};

export const removeAndReinstall: Scenario = {
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
};
