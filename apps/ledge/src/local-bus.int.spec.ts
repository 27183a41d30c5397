// The one local-bus setting with a TLS local broker (issue 16): turning on TLS and local auth for the
// broker is all a user does for `ledge run` (all-in-one and --processes); tcps:// and client certificates
// set once in local-bus.json reach every app. Every app's bus client must connect, and a client without
// the credentials must not. With --dev the accounts it makes are kept in <dev dir>/secrets, where
// `ledge um --dev-dir` finds the update manager's: the one account the broker takes a desired state from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort, makePki } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, hasCommand, skipUnlessTools, type Spawned } from '@ledge/shared/util/testing';

const CLIENTS = ['ledge-connector', 'ledge-container-management', 'ledge-software-update-', 'ledge-file-upload-'];
const requireOpenssl = skipUnlessTools('openssl', !hasCommand('openssl'));

/** Resolves once the bus client of every app has connected; the connect lines, by client. */
async function allConnected(ledge: Spawned): Promise<Record<string, Record<string, unknown>>> {
  const lines = await Promise.all(
    CLIENTS.map((prefix) => ledge.waitForLog((l) => l['component'] === 'local-bus' && l['msg'] === 'connected' && String(l['clientId']).startsWith(prefix), 30_000)),
  );
  return Object.fromEntries(lines.map((l, i) => [CLIENTS[i]!, l]));
}

/** The CONNACK refusal of a client that dials the TLS listener with these options. */
async function refusal(port: number, options: mqtt.IClientOptions): Promise<string> {
  const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  try {
    return await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('error', (err) => resolve(`${(err as { code?: unknown }).code ?? ''} ${err.message}`));
      client.once('close', () => resolve('closed'));
    });
  } finally {
    client.end(true);
  }
}

for (const mode of ['all-in-one', 'processes'] as const) {
  describe(`ledge run (${mode}) with a TLS local broker`, { skip: requireOpenssl }, () => {
    const run = (t: Parameters<typeof createTempDir>[0], env: Record<string, string>) =>
      spawnNode(t, bundlePath('ledge'), { args: ['run', ...(mode === 'processes' ? ['--processes'] : []), '--dev', '--dev-dir', createTempDir(t)], env: { LEDGE_CONTAINER_MANAGEMENT_API_SOCKET: '', ...env } });

    it('broker on TLS only with local auth on: every app connects with its own account; anonymous clients are refused', async (t) => {
      const pki = makePki(t);
      const ledge = run(t, {
        LEDGE_BROKER_PORT: '-1',
        LEDGE_BROKER_TLS_PORT: '0',
        LEDGE_BROKER_TLS_CERT: pki.serverCert,
        LEDGE_BROKER_TLS_KEY: pki.serverKey,
        LEDGE_BROKER_TLS_CA: pki.ca,
        LEDGE_BROKER_ALLOW_ANONYMOUS: 'false',
      });
      const listening = await ledge.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tls', 30_000);
      const connected = await allConnected(ledge);
      assert.equal(Object.keys(connected).length, 4);
      assert.ok(!ledge.logs.some((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp'), 'no plain listener');
      const port = Number(listening['port']);
      assert.match(await refusal(port, { ca: readFileSync(pki.ca) }), /Not authorized|Bad username or password/i, 'an anonymous client is refused');
      assert.match(await refusal(port, { ca: readFileSync(pki.ca), username: 'ledge-connector', password: 'guess' }), /Not authorized|Bad username or password/i, 'a guessed password is refused');
      assert.equal(await ledge.kill('SIGTERM'), 0);
    });

    it('tcps:// and client certificates from local-bus.json reach every app', async (t) => {
      const pki = makePki(t);
      const port = await freePort();
      const busFile = join(createTempDir(t), 'local-bus.json');
      writeFileSync(busFile, JSON.stringify({ localAddress: `tcps://127.0.0.1:${port}`, localCACert: pki.ca, localCert: pki.clientCert, localKey: pki.clientKey }));
      const ledge = run(t, {
        LEDGE_LOCAL_BUS_CONFIG: busFile,
        LEDGE_BROKER_PORT: '-1',
        LEDGE_BROKER_TLS_PORT: String(port),
        LEDGE_BROKER_TLS_CERT: pki.serverCert,
        LEDGE_BROKER_TLS_KEY: pki.serverKey,
        LEDGE_BROKER_TLS_CA: pki.ca,
        LEDGE_BROKER_TLS_REQUIRE_CLIENT_CERT: 'true',
      });
      await allConnected(ledge);
      assert.notEqual(await refusal(port, { ca: readFileSync(pki.ca) }), 'connected', 'a client without a certificate is refused');
      assert.equal(await ledge.kill('SIGTERM'), 0);
    });
  });
}

for (const mode of ['all-in-one', 'processes'] as const) {
  describe(`ledge run (${mode}) --dev keeps its accounts for ledge um`, () => {
    it('<dev dir>/secrets/<app>.password (0600, the directory 0700): ledge um --dev-dir applies a desired state with it; without an account the broker drops it and ledge um says why', async (t) => {
      const devDir = createTempDir(t);
      const ledge = spawnNode(t, bundlePath('ledge'), {
        args: ['run', ...(mode === 'processes' ? ['--processes'] : []), '--dev', '--dev-dir', devDir, '--apps', 'broker,connector,update-manager'],
        env: { LEDGE_BROKER_PORT: '0', LEDGE_UPDATE_MANAGER_REBOOT_ENABLED: 'false' },
      });
      const port = Number((await ledge.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp', 30_000))['port']);
      await ledge.waitForLog((l) => l['component'] === 'local-bus' && l['msg'] === 'connected' && String(l['clientId']).startsWith('ledge-update-manager-'), 30_000);
      const secrets = join(devDir, 'secrets');
      assert.deepEqual(readdirSync(secrets).sort(), ['connector.password', 'update-manager.password']);
      assert.deepEqual([statSync(secrets).mode & 0o777, statSync(join(secrets, 'update-manager.password')).mode & 0o777], [0o700, 0o600]);

      const ds = join(createTempDir(t), 'ds.json');
      writeFileSync(ds, JSON.stringify({ domains: [{ id: 'containers', components: [{ id: 'hello', version: '1.0' }] }] }));
      const um = (...args: string[]) => spawnNode(t, bundlePath('ledge'), { args: ['um', ...args, '--address', `tcp://127.0.0.1:${port}`], cwd: createTempDir(t), env: { LEDGE_DEV_DIR: undefined } });
      // the update manager's account: its first answer comes (the containers agent is not running: no final status soon)
      const apply = um('apply', ds, '--json', '--dev-dir', devDir);
      assert.equal((await apply.waitForLog((l) => l['status'] === 'IDENTIFYING', 20_000))['activityId'] !== undefined, true);
      await apply.kill('SIGTERM');

      if (!existsSync('/etc/ledge/secrets/update-manager.password')) {
        // no account (no --dev-dir, none in the working directory, no packaged file): dropped, and the message says why
        const anonymous = um('apply', ds, '--timeout', '2');
        assert.equal(await anonymous.exited, 1);
        assert.match(anonymous.stderr.join(''), /no answer from the update manager .* likely cause: ledge um has no account/);
        assert.ok(ledge.logs.some((l) => l['msg'] === 'publish denied by ACL, dropped' && l['topic'] === 'deviceupdate/desiredstate' && String(l['clientId']).startsWith('ledge-um-')));
      }

      // a stale password (a previous run's): refused at CONNECT, and said so
      writeFileSync(join(secrets, 'update-manager.password'), 'a previous run\n');
      const stale = um('current', '--dev-dir', devDir, '--timeout', '2');
      assert.equal(await stale.exited, 1);
      assert.match(stale.stderr.join(''), /refused ledge um as ledge-update-manager \(password from .*update-manager\.password\): broker refused the connection/);
      assert.equal(await ledge.kill('SIGTERM'), 0);
    });
  });
}
