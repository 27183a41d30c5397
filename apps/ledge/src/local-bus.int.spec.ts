// The one local-bus setting with a TLS local broker (issue 16): turning on TLS and local auth for the
// broker is all a user does for `ledge run` (all-in-one and --processes); tcps:// and client certificates
// set once in local-bus.json reach every app. Every app's bus client must connect, and a client without
// the credentials must not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort, makePki } from '@ledge/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, hasCommand, type Spawned } from '@ledge/util/testing';

const CLIENTS = ['ledge-connector', 'ledge-container-management', 'ledge-software-update-', 'ledge-file-upload-'];
const requireOpenssl = process.env['CI'] === 'true' || hasCommand('openssl') ? false : 'openssl is not installed';

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
