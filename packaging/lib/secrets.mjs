// The local bus accounts of the packaged stack (issue 23): every app that dials the local broker has a
// broker account `ledge-<app>` with a random password that only the app's own user can read, and the
// broker has the SHA-256 of each (packaging/README.md "Local bus accounts"). One shell fragment does it,
// generated here for ledge-common's postinst (Debian) and for the Yocto layer's ledge-secrets.service;
// it runs on the target, never at build time (every gateway gets its own passwords).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRETS_DIR = '/etc/ledge/secrets';
export const BROKER_PASSWD = `${SECRETS_DIR}/broker.passwd`;
/** Password length: 40 characters of [A-Za-z0-9] (~238 bits). The contract asks for at least 32. */
export const PASSWORD_LENGTH = 40;
export const PASSWORD_MIN = 32;

/** The broker account of an app; ledge run names the accounts of the apps it hosts the same way. */
export const accountOf = (app) => `ledge-${app}`;
export const passwordFileOf = (app) => `${SECRETS_DIR}/${app}.password`;

/** User= of a unit file (root when absent, as systemd does). */
export function unitUser(unitText) {
  return /^User=(\S+)\s*$/m.exec(unitText)?.[1] ?? 'root';
}

/** Group= of a unit file, else its user's (systemd's default: the user's primary group). */
export function unitGroup(unitText) {
  return /^Group=(\S+)\s*$/m.exec(unitText)?.[1] ?? unitUser(unitText);
}

function safeName(name) {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`unsafe name ${name}`);
  return name;
}

/**
 * Every app that dials the local broker: each app with a unit in apps/<app>/packaging/ except the
 * broker itself and the `ledge` CLI. Independent of which packages one build makes (--app), so
 * ledge-common always creates the same accounts.
 * @returns {{ app: string, account: string, user: string, passwordFile: string }[]} by app name
 */
export function localBusAccounts({ appsDir }) {
  return readdirSync(appsDir)
    .filter((app) => app !== 'broker' && app !== 'ledge' && existsSync(join(appsDir, app, 'packaging', `${app}.service`)))
    // A unit that says it does not use the local bus (bootstrapping talks to the cloud only) gets no account.
    .filter((app) => !/^# No local bus:/m.test(readFileSync(join(appsDir, app, 'packaging', `${app}.service`), 'utf8')))
    .sort()
    .map((app) => ({
      app: safeName(app),
      account: accountOf(app),
      user: safeName(unitUser(readFileSync(join(appsDir, app, 'packaging', `${app}.service`), 'utf8'))),
      passwordFile: passwordFileOf(app),
    }));
}

/**
 * Shell helper shared by the fragments below: `_ledge_id <passwd|group file> <name>` prints the numeric
 * ID. The files of the target root are read, not the NSS of the machine that runs the script: under
 * dpkg --root (DPKG_ROOT) and in a Yocto rootfs ($D) the `ledge` user exists only in the target. root is
 * 0 everywhere (a scratch root may have no /etc/passwd entry for it).
 */
export const ID_HELPER = `_ledge_id() {
	if [ "$2" = root ]; then
		echo 0
		return 0
	fi
	while IFS=: read -r _ledge_n _ledge_x _ledge_i _ledge_rest; do
		if [ "$_ledge_n" = "$2" ]; then
			echo "$_ledge_i"
			return 0
		fi
	done < "$1"
	echo "ledge: no $2 in $1" >&2
	return 1
}`;

/**
 * `ledge_secrets <root>`: creates or keeps the accounts under <root>/etc/ledge/secrets. Idempotent: an
 * existing password (first line not empty) is kept; broker.passwd is rewritten from the password files,
 * so it always lists exactly these accounts. Runs in a subshell (its umask stays there). Needs only
 * POSIX sh, tr, head, sha256sum, chown, chmod, mv: Debian's essential set, busybox on Yocto.
 */
export function secretsFunction(accounts) {
  if (accounts.length === 0) throw new Error('no local bus accounts');
  const perApp = accounts
    .map(
      // IDs first, as plain assignments: a failed lookup stops the script (set -e) instead of chowning to "".
      (a) => `	_ledge_uid=$(_ledge_id "$1/etc/passwd" ${safeName(a.user)})
	_ledge_ugid=$(_ledge_id "$1/etc/group" ${safeName(a.user)})
	_ledge_password "$_ledge_dir" ${safeName(a.app)} "$_ledge_uid" "$_ledge_ugid"
	_ledge_hash "$_ledge_dir/${a.app}.password" ${accountOf(a.app)} >> "$_ledge_dir/broker.passwd.new"`,
    )
    .join('\n');
  return `${ID_HELPER}

# _ledge_password <dir> <app> <uid> <gid>: <dir>/<app>.password, one line, mode 0400, owned by the app's user.
_ledge_password() {
	_ledge_pw=''
	if [ -f "$1/$2.password" ]; then
		IFS= read -r _ledge_pw < "$1/$2.password" || true
	fi
	if [ -z "$_ledge_pw" ]; then
		# ${PASSWORD_LENGTH} random characters of [A-Za-z0-9]; written beside the file and renamed, so a
		# crash never leaves half a password.
		_ledge_pw=$(LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c ${PASSWORD_LENGTH})
		if [ \${#_ledge_pw} -lt ${PASSWORD_MIN} ]; then
			echo "ledge: could not draw a password for $2 from /dev/urandom" >&2
			return 1
		fi
		printf '%s\\n' "$_ledge_pw" > "$1/$2.password.new"
		chown "$3:$4" "$1/$2.password.new"
		chmod 0400 "$1/$2.password.new"
		mv -f "$1/$2.password.new" "$1/$2.password"
	fi
	chown "$3:$4" "$1/$2.password"
	chmod 0400 "$1/$2.password"
}

# _ledge_hash <password file> <account>: the account's line of a Mosquitto password file, sha256:<hex>
# of the first line (as the apps read it: localPasswordFile, a trailing CR dropped).
_ledge_hash() {
	_ledge_pw=''
	IFS= read -r _ledge_pw < "$1" || true
	_ledge_pw=\${_ledge_pw%"$(printf '\\r')"}
	_ledge_sum=$(printf '%s' "$_ledge_pw" | sha256sum)
	printf '%s:sha256:%s\\n' "$2" "\${_ledge_sum%% *}"
}

ledge_secrets() (
	umask 077
	_ledge_gid=$(_ledge_id "$1/etc/group" ledge)
	_ledge_dir="$1${SECRETS_DIR}"
	[ -d "$1/etc/ledge" ] || mkdir -m 0755 "$1/etc/ledge"
	[ -d "$_ledge_dir" ] || mkdir -m 0750 "$_ledge_dir"
	chown "0:$_ledge_gid" "$_ledge_dir"
	chmod 0750 "$_ledge_dir"
	: > "$_ledge_dir/broker.passwd.new"
${perApp}
	# Read by the broker, which runs as ledge.
	chown "0:$_ledge_gid" "$_ledge_dir/broker.passwd.new"
	chmod 0640 "$_ledge_dir/broker.passwd.new"
	mv -f "$_ledge_dir/broker.passwd.new" "$_ledge_dir/broker.passwd"
)`;
}

/**
 * `ledge_config_mode <root> <file> <group>`: a packaged config may hold secrets once the admin edits it
 * (cloud credentials, registry or storage keys), so it is root:<group of the app's user> 0640. The
 * package ships it 0644 root:root (dpkg cannot ship the dynamically allocated group ledge), and the
 * postinst tightens it on every configure; dpkg replaces a conffile only when it holds nothing but the
 * package's own text.
 */
export const CONFIG_MODE_FUNCTION = `${ID_HELPER}

ledge_config_mode() {
	if [ -f "$1$2" ]; then
		_ledge_cgid=$(_ledge_id "$1/etc/group" "$3")
		chown "0:$_ledge_cgid" "$1$2"
		chmod 0640 "$1$2"
	fi
}`;

/**
 * The Yocto layer's /usr/libexec/ledge/ledge-secrets (run by ledge-secrets.service before the Ledge
 * units at every boot): the same function as ledge-common's postinst, on the running system.
 */
export function secretsScript(accounts) {
  return `#!/bin/sh
# ledge-secrets: the local bus accounts of the Ledge apps (issue 23), written by packaging/lib/secrets.mjs
# (npm run yocto:sync). Run by ledge-secrets.service before the Ledge units; idempotent: existing
# passwords are kept, ${BROKER_PASSWD} is rewritten from them. Usage: ledge-secrets [root]
set -e

${secretsFunction(accounts)}

ledge_secrets "\${1:-}"
`;
}
