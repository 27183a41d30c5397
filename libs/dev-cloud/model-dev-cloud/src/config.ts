// The development cloud's settings (issue 24): where it listens (loopback by default: it is a stand-in for
// one developer's machine, not a fleet backend), where it keeps its state, and the devices it lets in.
import { defineConfig } from '@ledge/shared/util';

/** `http(s)://host[:port]` exactly as a browser names it in `Origin` (no path, no trailing slash). */
const isOrigin = (o: string): boolean => {
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
  } catch {
    return false; // not a URL
  }
};

const port = (what: string) => (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? undefined : `${what}: a TCP port (0 picks a free one)`);

export const devCloudSpec = defineConfig({
  host: { type: 'string', default: '127.0.0.1', describe: 'address the HTTP API and the MQTT adapter listen on (0.0.0.0 to let a gateway on the LAN in)' },
  httpPort: { type: 'number', default: 8088, describe: 'port of the HTTP side: Ditto\'s API under /api/2, the artifact store under /artifacts/, the upload sink under /uploads/', validate: port('httpPort') },
  mqttPort: { type: 'number', default: 18883, describe: 'port of the device side: Hono\'s MQTT adapter (devices log in as <authId>@<tenant>)', validate: port('mqttPort') },
  dataDir: { type: 'string', default: '/var/lib/ledge/dev-cloud', describe: 'the twins, artifacts, uploads and devices.json' },
  tenant: {
    type: 'string',
    default: 'ledge-dev',
    describe: 'the Hono tenant of the devices created here',
    validate: (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(v) ? undefined : 'tenant: 1 to 64 letters, digits, ".", "_" or "-"'),
  },
  username: { type: 'string', default: '', describe: 'HTTP basic auth user of the Ditto API and the stores; empty = none (loopback only)' },
  password: { type: 'string', default: '', describe: 'HTTP basic auth password' },
  corsOrigins: {
    type: 'string[]',
    default: [] as string[],
    describe: 'origins (scheme://host[:port]) whose web pages may call the HTTP side, e.g. the console served by another dev cloud; [] = same origin only',
    validate: (v: unknown) => (Array.isArray(v) && v.every((o) => typeof o === 'string' && isOrigin(o)) ? undefined : 'corsOrigins: a list of origins such as http://localhost:8089 (scheme, host and port; no path, no *)'),
  },
  tlsCert: { type: 'string', default: '', describe: 'PEM certificate: with tlsKey, the HTTP side serves HTTPS and the device side MQTTS (for a gateway on the LAN)' },
  tlsKey: { type: 'string', default: '', describe: 'PEM private key of tlsCert' },
  tlsCa: { type: 'string', default: '', describe: 'PEM CA that signed tlsCert; ledge run --dev-cloud gives it to the connector to trust (default: tlsCert itself, for a self-signed one)' },
  maxFileBytes: {
    type: 'number',
    default: 512 * 1024 * 1024,
    describe: 'largest artifact or upload kept, in bytes',
    validate: (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? undefined : 'maxFileBytes: a positive whole number'),
  },
});

export type DevCloudSpec = typeof devCloudSpec;

/** A device the MQTT adapter lets in: user `<authId>@<tenant>` with this password. */
export interface DeviceCredential {
  readonly tenant: string;
  readonly authId: string;
  readonly deviceId: string;
  readonly password: string;
}

const ID = /^[A-Za-z0-9._:-]{1,256}$/;

/** devices.json → credentials, or the reason it is not valid. Pure. */
export function parseDeviceCredentials(value: unknown): DeviceCredential[] | string {
  if (!Array.isArray(value) || value.length > 1000) return 'devices: an array of at most 1000 {tenant, authId, deviceId, password}';
  const out: DeviceCredential[] = [];
  for (const [i, d] of value.entries()) {
    const o = d as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) return `devices[${i}]: an object`;
    for (const k of ['tenant', 'authId', 'deviceId'] as const) if (typeof o[k] !== 'string' || !ID.test(o[k])) return `devices[${i}].${k}: 1 to 256 letters, digits or ._:-`;
    if (typeof o['password'] !== 'string' || o['password'].length < 8 || o['password'].length > 256) return `devices[${i}].password: 8 to 256 characters`;
    if (!/^[^:]+:[^:]/.test(o['deviceId'] as string)) return `devices[${i}].deviceId: a namespaced ID (namespace:name), as Ditto's thing IDs`;
    out.push({ tenant: o['tenant'] as string, authId: o['authId'] as string, deviceId: o['deviceId'] as string, password: o['password'] as string });
  }
  return out;
}
