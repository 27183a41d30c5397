// QEMU end-to-end test of the packaged stack on an emulated arm64 gateway (issue 6; README.md here).
// Phases, each timed: packages (packaging/build-deb.mjs from dist/apps) → base image (Debian 13 arm64,
// mmdebstrap, cached in ~/.cache/ledge/e2e) → install (dpkg -i in the chroot, ext4 image) → boot
// (qemu-system-aarch64 -M virt -cpu cortex-a72, TCG) → scenarios (scenarios.ts) → shutdown.
// Run: npm run test:e2e   (root; Debian packages: see README.md). Environment:
//   LEDGE_E2E_REBUILD=1      rebuild the base image     LEDGE_E2E_KEEP=1   keep the work folder
//   LEDGE_E2E_ONLY=a,b       run only these scenarios   LEDGE_E2E_CACHE    cache folder
//   LEDGE_E2E_DEBS=<dir>     test these .deb files instead of building them
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverApps, type AppPackage } from '../../packaging/lib/apps.mjs';
import { checkHost, enableBinfmt } from './lib/host';
import { baseImage, cacheRoot, defaultImageSpec, extractBusybox } from './lib/image';
import { prepareDisk } from './lib/install';
import { secs } from './lib/proc';
import { startVm, tail, type Vm } from './lib/vm';
import { startMosquitto } from '@ledge/shared/data-access-mqtt/testing';
import { startRegistry } from '@ledge/container-management/data-access-containerd/testing';
import { ARTIFACTS_PORT_IN_GUEST, CLOUD_PORT_IN_GUEST, REGISTRY_PORT_IN_GUEST, startHttpServer, type Cloud } from './lib/cloud';
import { scenarios } from './scenarios';

const root = join(import.meta.dirname, '..', '..');
const keep = process.env['LEDGE_E2E_KEEP'] === '1';
const only = process.env['LEDGE_E2E_ONLY']?.split(',').filter(Boolean);
const timings: Record<string, number> = {};
const log = (line: string) => process.stdout.write(`# ${line}\n`);

async function phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = (timings[name] ?? 0) + (Date.now() - started);
    log(`phase ${name}: ${secs(Date.now() - started)}`);
  }
}

describe('Ledge packages on an emulated Debian 13 arm64 gateway (QEMU)', { timeout: 90 * 60_000 }, () => {
  const workdir = mkdtempSync(join(tmpdir(), 'ledge-e2e-'));
  let vm: Vm | undefined;
  let apps: AppPackage[] = [];
  let cloud: Cloud | undefined;
  const cleanups: (() => unknown)[] = [];
  const t0 = Date.now();

  before(async () => {
    checkHost();
    await enableBinfmt();
    apps = discoverApps({ root });
    const debs = await phase('packages', () => {
      const given = process.env['LEDGE_E2E_DEBS'];
      const out = given ?? join(workdir, 'debs');
      if (!given) {
        const r = spawnSync(process.execPath, [join(root, 'packaging', 'build-deb.mjs'), '--out', out], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`build-deb failed:\n${r.stderr}${r.stdout}`);
      }
      return readdirSync(out).filter((f) => f.endsWith('.deb')).map((f) => join(out, f));
    });
    log(`packages: ${debs.map((d) => d.split('/').pop()).join(', ')}`);
    // Scenarios check what was installed (LEDGE_E2E_DEBS may hold fewer packages than the workspace has apps).
    apps = apps.filter((a) => debs.some((d) => (d.split('/').pop() ?? '').startsWith(`${a.pkg}_`)));
    const image = await phase('image', () => baseImage(defaultImageSpec, { rebuild: process.env['LEDGE_E2E_REBUILD'] === '1', log }));
    log(`base image ${image.built ? 'built' : 'cached'}: ${image.tarball}`);
    const disk = await phase('install', () => prepareDisk({ tarball: image.tarball, debs, workdir, agentScript: join(import.meta.dirname, 'guest', 'ledge-e2e-agent.mjs') }));
    log(disk.dpkgOutput.split('\n').filter((l) => /Setting up ledge|Creating (user|group)|Created symlink/.test(l)).join('\n# '));
    // The "cloud": a Mosquitto on the host, reached by the guest at 10.0.2.100:<CLOUD_PORT_IN_GUEST>.
    const mosquitto = await startMosquitto({ after: (fn) => void cleanups.push(fn) });
    // Artifacts for software update and an upload sink for file upload, reached by the guest at
    // 10.0.2.100:<ARTIFACTS_PORT_IN_GUEST>.
    const http = await startHttpServer();
    cleanups.push(() => http.close());
    const httpPort = http.port;
    // A registry with an arm64 test image (the base image's own busybox), reached by the guest at
    // 10.0.2.100:<REGISTRY_PORT_IN_GUEST>, for the containers the desired-state scenario runs.
    const busybox = join(workdir, 'busybox-arm64');
    await phase('registry', async () => extractBusybox(image.tarball, busybox));
    const registry = await phase('registry', () => startRegistry({ after: (fn) => void cleanups.push(fn) }, { image: { busybox, architecture: 'arm64' } }));
    cloud = { port: mosquitto.port, files: http.files, uploads: http.uploads, registryRepo: 'test/busybox:1' };
    // The kernel and initrd outlive the tree (removed below): a power cut (Vm.powerCut) boots them again.
    const kernel = join(workdir, 'vmlinuz');
    const initrd = join(workdir, 'initrd.img');
    copyFileSync(disk.kernel, kernel);
    copyFileSync(disk.initrd, initrd);
    await phase('boot', async () => {
      vm = await startVm({ kernel, initrd, image: disk.image, workdir, guestForwards: [{ guestPort: CLOUD_PORT_IN_GUEST, hostPort: mosquitto.port }, { guestPort: ARTIFACTS_PORT_IN_GUEST, hostPort: httpPort }, { guestPort: REGISTRY_PORT_IN_GUEST, hostPort: Number(registry.host.split(':')[1]) }] });
      await vm.waitForAgent(10 * 60_000);
    });
    // The disk image has it all now; the kernel and initrd were copied out of the tree.
    if (!keep) rmSync(disk.rootfs, { recursive: true, force: true });
  });

  after(async () => {
    if (vm) {
      // Diagnostics for the record: restarts systemd made (restart-on-crash causes one) and crashes.
      const report = await vm
        .sh('for u in $(systemctl list-units "ledge*" --plain --no-legend | cut -d" " -f1); do echo "$u NRestarts=$(systemctl show -p NRestarts --value $u)"; done; journalctl -b --no-pager | grep -E "status=(11|6|4)/" || true', { allowFail: true })
        .catch(() => undefined);
      if (report) log(`units:\n# ${report.stdout.trim().split('\n').join('\n# ')}`);
      await phase('shutdown', () => vm!.stop());
    }
    for (const fn of cleanups.reverse()) await fn();
    timings['total'] = Date.now() - t0;
    const lines = Object.entries(timings).map(([k, v]) => `${k.padEnd(34)} ${secs(v)}`);
    log(`timings:\n# ${lines.join('\n# ')}`);
    mkdirSync(cacheRoot(), { recursive: true });
    writeFileSync(join(cacheRoot(), 'last-timings.json'), `${JSON.stringify({ at: new Date().toISOString(), timingsMs: timings }, null, 2)}\n`);
    if (keep) log(`work folder kept: ${workdir} (console.log, disk.img)`);
    else rmSync(workdir, { recursive: true, force: true });
  });

  for (const s of scenarios) {
    // The test's own timeout leaves the scenario running; this deadline ends it first, with diagnostics.
    it(`${s.name}: ${s.proves}`, { timeout: s.timeoutMs + 60_000, skip: only && !only.includes(s.name) ? 'not in LEDGE_E2E_ONLY' : false }, async (t) => {
      const reason = s.skip?.({ apps });
      if (reason) return t.skip(reason);
      if (!vm) throw new Error('the VM did not boot');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`scenario ${s.name} took longer than ${s.timeoutMs} ms`)), s.timeoutMs)));
      try {
        await phase(`scenario ${s.name}`, () => Promise.race([s.run({ vm: vm!, apps, log, cloud: cloud! }), deadline]));
      } catch (err) {
        const journal = await vm.sh('journalctl -b --no-pager -n 60 -u "ledge*"', { allowFail: true }).catch(() => undefined);
        log(`journal (ledge units):\n${journal?.stdout ?? '(agent gone)'}\nconsole tail:\n${tail(vm.consoleLog, 20)}`);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    });
  }
});
