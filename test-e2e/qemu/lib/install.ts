// Turns the cached base tarball into this run's disk: unpacks it, installs the Ledge .deb files with
// dpkg inside the arm64 chroot (maintainer scripts run under qemu-user with no systemd running, as in an
// image build: they must enable the units without starting them), adds the test-only pieces (network,
// guest agent, MQTT port proxy) and writes an ext4 image with mke2fs -d. No loop devices or mounts.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { run } from './proc';

/** Guest port of the test's MQTT proxy (systemd-socket-proxyd to the broker on 127.0.0.1:1883). */
export const GUEST_MQTT_PROXY_PORT = 18830;
export const AGENT_PORT_NAME = 'org.ledge.e2e.agent';
export const DEB_DIR_IN_GUEST = '/var/cache/ledge-e2e/debs';

export interface Disk {
  rootfs: string;
  image: string;
  kernel: string;
  initrd: string;
  dpkgOutput: string;
}

function put(rootfs: string, path: string, content: string, mode = 0o644): void {
  const p = join(rootfs, path);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content, { mode });
}

const agentUnit = `[Unit]
Description=Ledge e2e test agent (test image only)
[Service]
ExecStart=/usr/bin/node /usr/local/lib/ledge-e2e/agent.mjs /dev/virtio-ports/${AGENT_PORT_NAME}
Restart=always
RestartSec=1
[Install]
WantedBy=multi-user.target
`;

// The broker listens on 127.0.0.1 only (its shipped default, tested as shipped). QEMU's hostfwd reaches
// the guest's NIC, so this socket-activated proxy forwards that port to the loopback listener; clients
// still arrive from 127.0.0.1, as local apps do.
const proxySocket = `[Unit]
Description=Ledge e2e MQTT port proxy (test image only)
[Socket]
ListenStream=0.0.0.0:${GUEST_MQTT_PROXY_PORT}
[Install]
WantedBy=sockets.target
`;
const proxyService = `[Unit]
Description=Ledge e2e MQTT port proxy (test image only)
Requires=ledge-e2e-mqtt-proxy.socket
After=ledge-e2e-mqtt-proxy.socket
[Service]
ExecStart=/usr/lib/systemd/systemd-socket-proxyd 127.0.0.1:1883
`;

export async function prepareDisk(opts: { tarball: string; debs: readonly string[]; workdir: string; agentScript: string; sizeGiB?: number }): Promise<Disk> {
  const rootfs = join(opts.workdir, 'rootfs');
  mkdirSync(rootfs, { recursive: true });
  await run('tar', ['-C', rootfs, '--numeric-owner', '-xpf', opts.tarball]);

  put(rootfs, 'etc/hostname', 'ledge-e2e\n');
  put(rootfs, 'etc/hosts', '127.0.0.1 localhost\n127.0.1.1 ledge-e2e\n::1 localhost ip6-localhost ip6-loopback\n');
  put(rootfs, 'etc/fstab', '/dev/vda / ext4 rw,errors=remount-ro 0 1\n');
  put(rootfs, 'etc/systemd/network/10-e2e.network', '[Match]\nName=en* eth*\n[Network]\nDHCP=ipv4\n');
  put(rootfs, 'usr/local/lib/ledge-e2e/agent.mjs', readFileSync(opts.agentScript, 'utf8'));
  put(rootfs, 'etc/systemd/system/ledge-e2e-agent.service', agentUnit);
  put(rootfs, 'etc/systemd/system/ledge-e2e-mqtt-proxy.socket', proxySocket);
  put(rootfs, 'etc/systemd/system/ledge-e2e-mqtt-proxy.service', proxyService);
  // Periodic jobs would only compete for the emulated CPU.
  for (const unit of ['apt-daily.timer', 'apt-daily-upgrade.timer', 'e2scrub_all.timer', 'fstrim.timer', 'dpkg-db-backup.timer']) {
    const p = join(rootfs, 'etc/systemd/system', unit);
    if (!existsSync(p)) symlinkSync('/dev/null', p);
  }
  await run('chroot', [rootfs, 'systemctl', 'enable', 'systemd-networkd.service', 'ledge-e2e-agent.service', 'ledge-e2e-mqtt-proxy.socket']);

  const debDir = join(rootfs, DEB_DIR_IN_GUEST);
  mkdirSync(debDir, { recursive: true });
  for (const deb of opts.debs) copyFileSync(deb, join(debDir, basename(deb)));
  // As in an image build or a container: dpkg in a chroot, systemd not running.
  const dpkg = await run('chroot', [rootfs, 'sh', '-c', `dpkg -i ${DEB_DIR_IN_GUEST}/*.deb`], { timeoutMs: 10 * 60_000 });

  const boot = join(rootfs, 'boot');
  const kernel = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  const initrd = readdirSync(boot).find((f) => f.startsWith('initrd.img-'));
  if (!kernel || !initrd) throw new Error(`no kernel or initrd in ${boot}: is linux-image-arm64 in the image's package list?`);
  const image = join(opts.workdir, 'disk.img');
  await run('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'ledge-root', '-d', rootfs, image, `${opts.sizeGiB ?? 4}G`], { timeoutMs: 10 * 60_000 });
  return { rootfs, image, kernel: join(boot, kernel), initrd: join(boot, initrd), dpkgOutput: dpkg.stdout + dpkg.stderr };
}
