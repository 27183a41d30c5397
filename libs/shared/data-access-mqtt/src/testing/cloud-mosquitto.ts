// Real Mosquittos standing in for the cloud in integration tests: Hono (password auth on a plain and a
// TLS listener, client certificates on a third, ACLs) and AWS IoT Core / Azure IoT Hub endpoints; the
// certificates are made by openssl here, the password file by mosquitto_passwd. Shared by the connector's
// tests and the whole-stack suite of the `ledge` app.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, spawnProcess, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';
import mqtt from 'mqtt';
import { canConnect, findMosquitto, freePort } from './mosquitto';

export interface Pki {
  dir: string;
  ca: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate with CN `clientCn`, and an unrelated CA. */
export function makePki(t: TestContextLike, clientCn = 'demo:device'): Pki {
  const dir = createTempDir(t, 'ledge-pki-');
  for (const ca of ['ca', 'other-ca']) {
    ssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=ledge-test-${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.crt`]);
  }
  const leaf = (name: string, cn: string, ext: string) => {
    ssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  };
  leaf('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', clientCn, 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => join(dir, f);
  return { dir, ca: p('ca.crt'), otherCa: p('other-ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}

export interface CloudBroker {
  /** Plain listener, password auth (observer and device). */
  readonly plainPort: number;
  /** TLS listener, password auth. */
  readonly tlsPort: number;
  /** TLS listener, client certificate required, CN = user name. */
  readonly certPort: number;
  readonly pki: Pki;
  readonly users: Readonly<Record<'observer' | 'device', { username: string; password: string }>>;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startCloudBroker(t: TestContextLike, pki = makePki(t)): Promise<CloudBroker> {
  const bin = findMosquitto();
  if (!bin) throw new Error('mosquitto not found: apt-get install -y mosquitto');
  const dir = createTempDir(t, 'ledge-cloud-');
  const users = { observer: { username: 'observer', password: 'observer-pw' }, device: { username: 'demo-auth@demo', password: 'device-pw' } };
  const pw = join(dir, 'passwd');
  writeFileSync(pw, '');
  for (const u of Object.values(users)) execFileSync('mosquitto_passwd', ['-b', pw, u.username, u.password]);
  const acl = join(dir, 'acl');
  writeFileSync(acl, 'user observer\ntopic readwrite #\n\nuser demo-auth@demo\ntopic readwrite event/#\ntopic readwrite telemetry/#\ntopic readwrite command/#\n\nuser demo:device\ntopic readwrite event/#\ntopic readwrite telemetry/#\ntopic readwrite command/#\n');
  const [plainPort, tlsPort, certPort] = [await freePort(), await freePort(), await freePort()];
  const tls = `cafile ${pki.ca}\ncertfile ${pki.serverCert}\nkeyfile ${pki.serverKey}\ntls_version tlsv1.2\n`;
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // Run as root (CI containers), Mosquitto would switch to user "mosquitto", which cannot read the temp dirs.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${pw}`,
      `acl_file ${acl}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 0',
      'max_inflight_messages 100',
      'log_dest stderr',
      `listener ${plainPort} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      tls,
      `listener ${certPort} 127.0.0.1`,
      tls + 'require_certificate true\nuse_identity_as_username true',
      '',
    ].join('\n'),
  );
  let proc: Spawned | undefined;
  const start = async () => {
    if (proc) return;
    const p = spawnProcess(t, bin, { args: ['-c', conf] });
    proc = p;
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(plainPort))) {
      if (Date.now() > deadline) throw new Error(`cloud mosquitto did not start: ${p.stderr.join('').slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const p = proc;
    proc = undefined;
    if (p) await p.kill(signal);
  };
  await start();
  return { plainPort, tlsPort, certPort, pki, users, start, stop };
}

export interface EndpointBroker {
  /** Plain listener, anonymous: the test plays the cloud service (shadow service, business app). */
  readonly plainPort: number;
  /** TLS listener the connector uses (server cert from `pki`; client certificate required if asked). */
  readonly tlsPort: number;
  /** Mosquitto's log so far (connection lines carry the client ID and user name). */
  log(): string;
}

/**
 * A Mosquitto standing in for AWS IoT Core (mutual TLS, CN = user name) or Azure IoT Hub (TLS, anonymous:
 * Mosquitto cannot check SAS tokens; their format is unit-tested) with the topic layout left free.
 */
export async function startEndpointBroker(t: TestContextLike, pki: Pki, options: { requireCertificate: boolean }): Promise<EndpointBroker> {
  const bin = findMosquitto();
  if (!bin) throw new Error('mosquitto not found: apt-get install -y mosquitto');
  const dir = createTempDir(t, 'ledge-endpoint-');
  const [plainPort, tlsPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type all',
      `listener ${plainPort} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${pki.ca}\ncertfile ${pki.serverCert}\nkeyfile ${pki.serverKey}\ntls_version tlsv1.2`,
      ...(options.requireCertificate ? ['require_certificate true', 'use_identity_as_username true'] : []),
      '',
    ].join('\n'),
  );
  const p = spawnProcess(t, bin, { args: ['-c', conf] });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(plainPort)) || !(await canConnect(tlsPort))) {
    if (Date.now() > deadline) throw new Error(`endpoint mosquitto did not start: ${p.stderr.join('').slice(-1000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { plainPort, tlsPort, log: () => p.stderr.join('') };
}

/**
 * Event `n` of the zero-loss tests, as a local app publishes it on `e`: a Ditto live message (every one
 * must reach the cloud; a twin command would be collapsed to its last state when local twins are on).
 */
export function zeroLossEvent(n: number): string {
  return JSON.stringify({ topic: 'demo/device/things/live/messages/n', headers: {}, path: ZERO_LOSS_PATH, value: { n } });
}
const ZERO_LOSS_PATH = '/features/ZeroLoss/outbox/messages/n';

/**
 * The cloud of the zero-loss tests: a persistent observer subscribed to `event/#` counts the events by the
 * number in their Ditto value (`value.n` of zeroLossEvent), then the cloud stops (Mosquitto keeps the session), so that
 * whatever a test publishes meanwhile must wait at the gateway. `received`: number → times delivered.
 */
export async function startCloudDownWithObserver(t: TestContextLike): Promise<{ cloud: CloudBroker; received: Map<number, number> }> {
  const cloud = await startCloudBroker(t);
  const received = new Map<number, number>();
  const observer = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, clientId: 'observer', clean: false, reconnectPeriod: 300 });
  t.after(() => observer.endAsync(true));
  observer.on('message', (_topic, payload) => {
    // only the tests' events: the stack's own twin updates (the Health feature) travel here too
    const env = JSON.parse(payload.toString()) as { path?: string; value?: { n?: unknown } };
    const n = env.path === ZERO_LOSS_PATH ? env.value?.n : undefined;
    if (typeof n === 'number') received.set(n, (received.get(n) ?? 0) + 1);
  });
  await observer.subscribeAsync('event/#', { qos: 1 });
  await cloud.stop('SIGTERM');
  return { cloud, received };
}

/** The connector's settings for the cloud of startCloudBroker, as LEDGE_CONNECTOR_* variables (Hono mode). */
export function connectorCloudEnv(cloud: CloudBroker): Record<string, string> {
  return {
    LEDGE_CONNECTOR_ADDRESS: `mqtt://127.0.0.1:${cloud.plainPort}`,
    LEDGE_CONNECTOR_DEVICE_ID: 'demo:device',
    LEDGE_CONNECTOR_TENANT_ID: 'demo',
    LEDGE_CONNECTOR_AUTH_ID: cloud.users.device.username.split('@')[0]!,
    LEDGE_CONNECTOR_PASSWORD: cloud.users.device.password,
    LEDGE_CONNECTOR_PROVISIONING_FILE: '/nonexistent/provisioning.json',
  };
}
