// The one local-bus setting (issue 16): every app dials the broker with the same six keys, the same
// default and the same schemes, and one file (/etc/ledge/local-bus.json) or one set of env vars
// (LEDGE_LOCAL_BUS_*) sets them for all apps at once. Kanto's per-app names (software-update's and
// file-upload's `broker`, `username`, …) stay as documented aliases of an app's own keys.
import { join } from 'node:path';
import type { ConfigOf, ConfigSpec } from './config';

/** Schemes the local-bus client dials: tcp/mqtt, TLS (mqtts, ssl, tls, tcps, mqtt+ssl), WebSocket (ws, wss), unix sockets. */
export const LOCAL_BUS_SCHEMES: readonly string[] = Object.freeze(['tcp', 'mqtt', 'mqtts', 'ssl', 'tls', 'tcps', 'mqtt+ssl', 'ws', 'wss', 'mqtt+unix', 'mqtts+unix']);

export function localAddressProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const m = /^([a-z+]+):\/\/(.+)$/.exec(value);
  if (m === null) return `must be <scheme>://<host>:<port> (schemes: ${LOCAL_BUS_SCHEMES.join(', ')})`;
  if (!LOCAL_BUS_SCHEMES.includes(m[1]!)) return `unsupported scheme "${m[1]}" (supported: ${LOCAL_BUS_SCHEMES.join(', ')})`;
  if (m[1]!.endsWith('+unix')) return m[2]!.startsWith('/') ? undefined : 'a unix socket address needs an absolute path, e.g. mqtt+unix:///run/ledge/mqtt.sock';
  try {
    const url = new URL(value.replace(/^[a-z+]+:/, 'http:'));
    return url.hostname === '' ? 'has no host' : undefined;
  } catch {
    return 'is not a valid URL';
  }
}

// defineConfig's identity, here so this file does not import config.ts (which imports it).
const define = <S extends ConfigSpec>(spec: S): S => spec;

export const localBusSpec = define({
  localAddress: { type: 'string', default: 'tcp://127.0.0.1:1883', describe: `local broker address (${LOCAL_BUS_SCHEMES.join(', ')})`, validate: localAddressProblem },
  localUsername: { type: 'string', default: '', describe: 'local broker user name' },
  localPassword: { type: 'string', default: '', describe: 'local broker password' },
  localPasswordFile: { type: 'string', default: '', describe: 'file whose first line is the local broker password (instead of localPassword; the packages keep one per app in /etc/ledge/secrets)' },
  localCACert: { type: 'string', default: '', describe: 'PEM CA file that signs a TLS local broker\'s certificate' },
  localCert: { type: 'string', default: '', describe: 'PEM client certificate file for the local broker (with localKey)' },
  localKey: { type: 'string', default: '', describe: 'PEM private key file of localCert' },
});

export type LocalBusSpec = typeof localBusSpec;
export type LocalBusSettings = ConfigOf<LocalBusSpec>;
export type LocalBusKey = keyof LocalBusSpec;
export const LOCAL_BUS_KEYS = Object.freeze(Object.keys(localBusSpec) as LocalBusKey[]);

/** The shared file beside the apps' own files: /etc/ledge/local-bus.json. */
export const LOCAL_BUS_FILE = 'local-bus.json';

/** `localAddress` → `LEDGE_LOCAL_BUS_ADDRESS`, `localCACert` → `LEDGE_LOCAL_BUS_CACERT` (the rule of envName). */
export function localBusEnvName(key: LocalBusKey): string {
  const rest = key.replace(/^local/, '');
  return `LEDGE_LOCAL_BUS_${rest.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** Kanto's key names in software-update and file-upload (§5.1, §6.1), aliases of the shared keys. */
export const kantoLocalBusAliases: Readonly<Record<string, LocalBusKey>> = Object.freeze({
  broker: 'localAddress',
  username: 'localUsername',
  password: 'localPassword',
  caCert: 'localCACert',
  cert: 'localCert',
  key: 'localKey',
});

/**
 * How `ledge run` hands its hosted apps the broker's real listener and their local credentials: a JSON
 * object of local-bus keys in this env var, taken as the apps' defaults (below every file, env var and
 * flag the user set).
 */
export const HOST_LOCAL_BUS_ENV = 'LEDGE_HOST_LOCAL_BUS';

/** Where the packages keep every app's local broker password (ledge-common's postinst, packaging/lib/secrets.mjs). */
export const LOCAL_BUS_SECRETS_DIR = '/etc/ledge/secrets';

/** `ledge run --dev`'s state directory unless --dev-dir names another (relative to the working directory). */
export const DEFAULT_DEV_DIR = '.ledge-dev';

/** Where `ledge run --dev` keeps a copy of the accounts it made (docs/security.md): `<dev dir>/secrets`. */
export function devSecretsDir(devDir: string): string {
  return join(devDir, 'secrets');
}

/** An app's local broker password file in a secrets directory: `<dir>/<app>.password` (one line). */
export function localPasswordFileOf(app: string, secretsDir: string = LOCAL_BUS_SECRETS_DIR): string {
  return join(secretsDir, `${app}.password`);
}
