// Maintainer scripts, written as debhelper (dh_installsystemd, dh_installsysusers) would write them for
// Debian 13, so an admin recognises them. They must work in three situations (issue 6):
//   - a running system (systemd is PID 1): enable, start on install, restart on upgrade, stop on removal;
//   - a chroot or container build (no /run/systemd/system): only enable (symlinks), never start;
//   - dpkg --root / --force-script-chrootless (DPKG_ROOT set): act on the target root, never on the host.
// Every systemctl/deb-systemd-invoke call is therefore guarded by [ -d /run/systemd/system ] and
// [ -z "$DPKG_ROOT" ]; deb-systemd-helper and systemd-sysusers honour DPKG_ROOT themselves, and the
// local bus accounts and config modes (lib/secrets.mjs) act on "$DPKG_ROOT"/etc.
import { CONFIG_MODE_FUNCTION, secretsFunction, SECRETS_DIR } from './secrets.mjs';

const HEADER = '#!/bin/sh\nset -e\n';
const CONFIGURE = '[ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ]';
const RUNNING = '[ -z "$DPKG_ROOT" ] && [ -d /run/systemd/system ]';

function q(unit) {
  if (!/^[A-Za-z0-9@._-]+$/.test(unit)) throw new Error(`unsafe unit name ${unit}`);
  return `'${unit}'`;
}

function configPath(path) {
  if (!/^\/etc\/ledge\/[a-z0-9-]+\.json$/.test(path)) throw new Error(`unexpected config path ${path}`);
  return path;
}

/**
 * @param {{ unit?: string, enable?: boolean, sysusers?: string, stateDir?: string,
 *           accounts?: { app: string, user: string }[], config?: { path: string, group: string } }} o
 *   unit: installed unit name; enable: enable + start on install (else installed disabled, restarted on
 *   upgrade only if running); sysusers: a /usr/lib/sysusers.d file to apply; stateDir: removed on purge;
 *   accounts: the local bus accounts to create (ledge-common; lib/secrets.mjs), removed on purge;
 *   config: the app's conffile, made root:<group> 0640 on configure.
 * @returns {{ postinst?: string, prerm?: string, postrm?: string }}
 */
export function maintainerScripts({ unit, enable = true, sysusers, stateDir, accounts, config }) {
  const out = {};
  const postinst = [];
  if (sysusers) {
    postinst.push(`# The ledge system user (as dh_installsysusers): before any unit that runs as it starts.
if ${CONFIGURE} ; then
	systemd-sysusers \${DPKG_ROOT:+--root="$DPKG_ROOT"} ${sysusers}
fi`);
  }
  if (accounts) {
    postinst.push(`# The local bus accounts (issue 23; packaging/README.md "Local bus accounts"), for every app at once
# and before any app package starts its unit: ${SECRETS_DIR}/<app>.password (random, 0400, owned by the
# app's user) and the broker's ${SECRETS_DIR}/broker.passwd (their SHA-256, 0640 root:ledge). Passwords
# are kept on upgrade and reinstall; broker.passwd is rewritten from them every time.
${secretsFunction(accounts)}

if ${CONFIGURE} ; then
	ledge_secrets "$DPKG_ROOT"
fi`);
  }
  if (config) {
    postinst.push(`# ${configPath(config.path)} may hold secrets once edited (cloud credentials, keys): root:${config.group} 0640.
# Shipped 0644 root:root (a package cannot carry the dynamically allocated group ledge), so set here.
${CONFIG_MODE_FUNCTION}

if ${CONFIGURE} ; then
	ledge_config_mode "$DPKG_ROOT" '${configPath(config.path)}' ${q(config.group)}
fi`);
  }
  if (unit && enable) {
    postinst.push(`# Enable on first install; on upgrade keep the admin's choice (as dh_installsystemd).
if ${CONFIGURE} ; then
	# was-enabled defaults to true, so new installations run enable.
	if deb-systemd-helper --quiet was-enabled ${q(unit)}; then
		deb-systemd-helper enable ${q(unit)} >/dev/null || true
	else
		deb-systemd-helper update-state ${q(unit)} >/dev/null || true
	fi
fi
# Start on install, restart on upgrade, only where systemd runs (not in a chroot or image build).
if ${CONFIGURE} ; then
	if ${RUNNING} ; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			_ledge_action=restart
		else
			_ledge_action=start
		fi
		deb-systemd-invoke $_ledge_action ${q(unit)} >/dev/null || true
	fi
fi`);
  } else if (unit) {
    postinst.push(`# Installed disabled (as dh_installsystemd --no-enable --no-start): keep the admin's choice,
# and on upgrade restart the unit only if it is running.
if ${CONFIGURE} ; then
	if deb-systemd-helper debian-installed ${q(unit)}; then
		if deb-systemd-helper --quiet was-enabled ${q(unit)}; then
			deb-systemd-helper enable ${q(unit)} >/dev/null || true
		fi
	fi
	deb-systemd-helper update-state ${q(unit)} >/dev/null || true
	if ${RUNNING} ; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			deb-systemd-invoke try-restart ${q(unit)} >/dev/null || true
		fi
	fi
fi`);
  }
  if (postinst.length > 0) out.postinst = `${HEADER}\n${postinst.join('\n\n')}\n\nexit 0\n`;

  if (unit) {
    out.prerm = `${HEADER}
# Stop on removal (not on upgrade: postinst restarts it), only where systemd runs.
if [ "$1" = "remove" ] && ${RUNNING} ; then
	deb-systemd-invoke stop ${q(unit)} >/dev/null || true
fi

exit 0
`;
  }
  const postrm = [];
  if (unit) {
    postrm.push(`if [ "$1" = "remove" ] && ${RUNNING} ; then
	systemctl --system daemon-reload >/dev/null || true
fi
# Purge forgets the enablement state and removes the symlinks.
if [ "$1" = "purge" ]; then
	if [ -x "/usr/bin/deb-systemd-helper" ]; then
		deb-systemd-helper purge ${q(unit)} >/dev/null || true
	fi
fi`);
  }
  if (accounts) {
    postrm.push(`# Purge removes the local bus accounts (every app's password, the broker's password file).
if [ "$1" = "purge" ]; then
	rm -rf "$DPKG_ROOT${SECRETS_DIR}"
	rmdir "$DPKG_ROOT/etc/ledge" 2>/dev/null || true
fi`);
  }
  if (stateDir) {
    if (!/^\/var\/lib\/ledge(\/[a-z0-9-]+)?$/.test(stateDir)) throw new Error(`unexpected state dir ${stateDir}`);
    const isRoot = stateDir === '/var/lib/ledge';
    postrm.push(
      isRoot
        ? `# Purge removes /var/lib/ledge once no app keeps state there; the ledge user stays (Debian policy 9.2.2).
if [ "$1" = "purge" ]; then
	rmdir "$DPKG_ROOT${stateDir}" 2>/dev/null || true
fi`
        : `# Purge removes this app's state (retained messages, sessions, queues); remove keeps it.
if [ "$1" = "purge" ]; then
	rm -rf "$DPKG_ROOT${stateDir}"
fi`,
    );
  }
  if (postrm.length > 0) out.postrm = `${HEADER}\n${postrm.join('\n\n')}\n\nexit 0\n`;
  return out;
}
