// The broker's config schema (README table is generated from it with configTable('broker', brokerSpec)).
// Ports: -1 disables a listener, 0 picks a free port (tests), anything else is the port.
import { defineConfig, type ConfigOf, type WithCommon } from '@ledge/shared/util';
import { parseAclRules } from './acl';
import { durableSessionsProblem } from './durable-sessions';
import { storedPasswordProblem } from './passwords';

const port = (describe: string, def: number) => ({ type: 'number', default: def, describe, min: -1, max: 65535, validate: integer }) as const;

function integer(v: unknown): string | undefined {
  return Number.isInteger(v) ? undefined : 'must be an integer';
}

/** Checks the `users` config value: a list of { username, password }. */
export function usersProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of {"username", "password"} objects';
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const u = value[i] as Record<string, unknown> | null;
    if (u === null || typeof u !== 'object' || typeof u['username'] !== 'string' || typeof u['password'] !== 'string') {
      return `entry ${i}: needs string "username" and "password"`;
    }
    if (u['username'] === '') return `entry ${i}: username must not be empty`;
    if (seen.has(u['username'])) return `entry ${i}: duplicate username ${JSON.stringify(u['username'])}`;
    seen.add(u['username']);
    const extra = Object.keys(u).filter((k) => k !== 'username' && k !== 'password');
    if (extra.length > 0) return `entry ${i}: unknown key(s) ${extra.join(', ')}`;
    const problem = storedPasswordProblem(u['password']);
    if (problem) return `entry ${i} (${u['username']}): ${problem}`;
  }
  return undefined;
}

export const SYS_LOG_TYPES = ['notice', 'subscribe', 'unsubscribe'] as const;
export type SysLogType = (typeof SYS_LOG_TYPES)[number];

export const brokerSpec = defineConfig({
  host: { type: 'string', default: '127.0.0.1', describe: 'address every listener binds to (loopback only unless changed; "0.0.0.0" or "::" for all)' },
  port: port('MQTT over TCP port (-1 disables, 0 picks a free port)', 1883),
  tlsPort: port('MQTT over TLS port (-1 disables); needs tlsCert and tlsKey', -1),
  tlsCert: { type: 'string', default: '', describe: 'TLS server certificate chain (PEM file)' },
  tlsKey: { type: 'string', default: '', describe: 'TLS server private key (PEM file)' },
  tlsCa: { type: 'string', default: '', describe: 'CA bundle (PEM file) for client certificates' },
  tlsRequireClientCert: { type: 'boolean', default: false, describe: 'refuse TLS clients without a certificate signed by tlsCa' },
  wsPort: port('MQTT over WebSocket port (-1 disables), path any, subprotocol "mqtt"', -1),
  allowAnonymous: { type: 'boolean', default: true, describe: 'accept clients without a user name from loopback addresses' },
  allowAnonymousRemote: { type: 'boolean', default: false, describe: 'also accept clients without a user name from other addresses' },
  users: {
    type: 'json',
    default: [] as unknown[],
    describe: 'users: [{"username", "password"}], password plain, "sha256:<hex>", "pbkdf2:..." or mosquitto_passwd "$7$..."',
    validate: usersProblem,
  },
  passwordFile: { type: 'string', default: '', describe: 'Mosquitto password file (user:hash lines), merged with users' },
  acl: {
    type: 'json',
    default: [] as unknown[],
    describe: 'topic ACL rules [{"user"|"clientId"|"anonymous", "permission": "allow"|"deny", "action": "publish"|"subscribe"|"both", "topic"}]',
    validate: (v: unknown) => {
      const r = parseAclRules(v);
      return typeof r === 'string' ? r : undefined;
    },
  },
  aclFile: { type: 'string', default: '', describe: 'Mosquitto ACL file (topic/user/pattern lines), merged with acl' },
  ledgeAcl: {
    type: 'string',
    default: 'auto',
    describe: 'built-in ACL: only the user ledge-connector may publish cloud commands (command/+/+/req/#, c/+/+/q/#), edge/thing/response and edge/connection/remote/status; auto = on when that user exists (packages, ledge run), off = Kanto\'s open bus (docs/security.md)',
    choices: ['auto', 'on', 'off'],
  },
  persistence: { type: 'string', default: 'disk', describe: 'where sessions, retained and queued messages live', choices: ['disk', 'memory'] },
  dataDir: { type: 'string', default: '/var/lib/ledge/broker', describe: 'directory of the disk persistence' },
  fsync: {
    type: 'string',
    default: 'interval',
    describe:
      'disk persistence: a QoS 1/2 message is written for every session it matches before its PUBACK/PUBREC, so a killed process loses nothing acknowledged; always = fdatasync before the acknowledgement too (group commit; a power cut loses nothing acknowledged), interval = fdatasync every fsyncInterval ms (a power cut loses at most that window), never = when the kernel writes back',
    choices: ['always', 'interval', 'never'],
  },
  fsyncInterval: { type: 'number', default: 200, describe: 'ms between fdatasyncs with fsync interval: the most a power cut loses', min: 10, max: 60_000, validate: integer },
  durableSessions: {
    type: 'json',
    default: [] as unknown[],
    describe: 'persistent sessions created before any listener opens, so nothing published at boot misses them: [{"clientId", "subscriptions": [{"topic", "qos"}]}] (the packages and ledge run declare the connector\'s)',
    validate: durableSessionsProblem,
  },
  maxQueuedMessages: { type: 'number', default: 10_000, describe: 'QoS 1/2 messages queued per client; beyond it the oldest are dropped (memory: the newest)', min: 1, max: 10_000_000, validate: integer },
  maxQueuedBytes: { type: 'number', default: 64 * 1024 * 1024, describe: 'bytes queued for all clients together (disk persistence); beyond it the oldest are dropped', min: 1024, validate: integer },
  maxPacketSize: { type: 'number', default: 16 * 1024 * 1024, describe: 'largest MQTT packet accepted, in bytes; bigger ones close the connection', min: 64, max: 268_435_460, validate: integer },
  connectTimeout: { type: 'number', default: 30, describe: 'seconds a new connection has to send CONNECT', min: 1, max: 3600 },
  sysLog: {
    type: 'string[]',
    default: [...SYS_LOG_TYPES] as string[],
    describe: 'Mosquitto-format log lines published on $SYS/broker/log/... (notice, subscribe, unsubscribe); empty disables',
    validate: (v: unknown) => {
      const bad = (v as string[]).filter((t) => !(SYS_LOG_TYPES as readonly string[]).includes(t));
      return bad.length > 0 ? `unknown log type(s) ${bad.join(', ')}; known: ${SYS_LOG_TYPES.join(', ')}` : undefined;
    },
  },
});

export type BrokerSpec = typeof brokerSpec;
export type BrokerConfig = ConfigOf<WithCommon<BrokerSpec>>;
/** The broker config without the common keys (what createBroker needs). */
export type BrokerSettings = ConfigOf<BrokerSpec>;

/** Defaults as typed values, e.g. for tests and the all-in-one host. */
export const defaultBrokerConfig: BrokerSettings = Object.freeze(
  Object.fromEntries(Object.entries(brokerSpec).map(([k, f]) => [k, f.default])) as BrokerSettings,
);
