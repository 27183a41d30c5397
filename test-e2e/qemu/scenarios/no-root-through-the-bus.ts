// Issue 23 on the packaged gateway: "No local user becomes root through the bus". Software update runs as
// root and acts on SoftwareUpdatable commands; Kanto's broker took them from any local client. With the
// packages, ledge-common's postinst gives every app a broker account (/etc/ledge/secrets, readable only by
// the app's user) and the broker's built-in ACL lets only ledge-connector publish cloud commands, the
// identity and the link status (docs/security.md). Proved here with systemd running the packaged units:
// the secrets' modes; the same install that runs when the cloud sends it does nothing when the local user
// `nobody` publishes it; a forged link status reaches no subscriber; the connector's name with a wrong
// password is refused.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { localBusAccounts, SECRETS_DIR } from '../../../packaging/lib/secrets.mjs';
import { closeCloud, CLOUD_PORT_IN_GUEST, commandEnvelope, connectCloud, DEVICE, installValue, type Cloud } from '../lib/cloud';
import { brokerAnswers, client, close, exists, waitFor, within } from '../lib/guest-checks';
import { HOST_ALIAS, type Vm } from '../lib/vm';
import type { Scenario } from '../scenarios';

const root = join(import.meta.dirname, '..', '..', '..');
const CLIENT_IN_GUEST = '/run/ledge-e2e/mqtt-publish.mjs';
const PWNED = '/tmp/pwned';
const CONTROL_MARKER = '/var/lib/ledge-e2e-acl-control';
const SAVED_CONNECTOR_CONFIG = '/run/ledge-e2e/connector.json';
/** How long the forged install gets to do anything: well past the control's download-to-run time. */
const FORGED_WAIT_MS = 30_000;
const STATUS_TOPIC = 'edge/connection/remote/status';

interface PublishResult {
  connack: number;
  puback: boolean;
}

/** One MQTT connection from a process of `user` in the guest (guest/mqtt-publish.mjs), to the broker on 127.0.0.1. */
async function guestMqtt(vm: Vm, user: string, o: { clientId: string; username?: string; password?: string; passwordFile?: string; topic?: string; payload?: string; retain?: boolean }): Promise<PublishResult> {
  const args = Buffer.from(JSON.stringify({ port: 1883, ...o, ...(o.payload === undefined ? {} : { payload: Buffer.from(o.payload).toString('base64') }) })).toString('base64');
  const r = await vm.sh(`runuser -u ${user} -- node ${CLIENT_IN_GUEST} ${args}`, { allowFail: true, timeoutMs: 60_000 });
  assert.equal(r.code, 0, `guest MQTT client as ${user}: exit ${r.code} ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PublishResult;
}

/** The broker's JSON journal lines naming a client ID. */
async function brokerLines(vm: Vm, clientId: string): Promise<Record<string, unknown>[]> {
  const out = (await vm.sh(`journalctl -u ledge-broker.service -o cat --no-pager | grep -F '"${clientId}"'`, { allowFail: true })).stdout;
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Counts the host artifact server's GETs of one path. lib/cloud.ts serves `files.get(url)`; this shadows
 * `get` on that one Map instance for the scenario's duration (restore() removes it).
 */
function countGets(files: Map<string, Buffer>, path: string): { count: () => number; restore: () => void } {
  let n = 0;
  Object.defineProperty(files, 'get', {
    configurable: true,
    value: (key: string) => {
      if (key === path) n += 1;
      return Map.prototype.get.call(files, key);
    },
  });
  return { count: () => n, restore: () => void Reflect.deleteProperty(files, 'get') };
}

async function statOf(vm: Vm, path: string): Promise<string> {
  return (await vm.sh(`stat -c '%a %U:%G' ${path}`)).stdout.trim();
}

/** (a) The accounts as ledge-common's postinst made them, and what an unprivileged user can read of them. */
async function checkSecrets(vm: Vm, log: (l: string) => void): Promise<void> {
  const accounts = localBusAccounts({ appsDir: join(root, 'apps') });
  assert.equal(await statOf(vm, SECRETS_DIR), '750 root:ledge', SECRETS_DIR);
  for (const a of accounts) {
    assert.equal(await statOf(vm, a.passwordFile), `400 ${a.user}:${a.user}`, a.passwordFile);
    assert.match((await vm.sh(`cat ${a.passwordFile}`)).stdout, /^[A-Za-z0-9]{32,}\n$/, `${a.passwordFile}: one line of >= 32 [A-Za-z0-9]`);
  }
  assert.equal(await statOf(vm, `${SECRETS_DIR}/broker.passwd`), '640 root:ledge');
  const lines = (await vm.sh(`cat ${SECRETS_DIR}/broker.passwd`)).stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.replace(/:sha256:[0-9a-f]{64}$/, '')),
    accounts.map((a) => a.account),
    'broker.passwd: one sha256 line per account',
  );
  const denied = await vm.sh(`runuser -u nobody -- cat ${SECRETS_DIR}/software-update.password`, { allowFail: true });
  assert.notEqual(denied.code, 0, 'nobody cannot read software-update.password');
  assert.equal(denied.stdout, '', 'and sees none of it');
  // Nor can the broker's own user read a root app's password.
  assert.notEqual((await vm.sh(`runuser -u ledge -- cat ${SECRETS_DIR}/software-update.password`, { allowFail: true })).code, 0, 'ledge cannot read it either');
  // The configs may hold credentials once edited, the state folders hold sessions and operations.
  const configs = (await vm.sh("stat -c '%n %a %U:%G' /etc/ledge/*.json")).stdout.trim();
  for (const line of configs.split('\n')) assert.match(line, / 640 root:(ledge|root)$/, line);
  const state = (await vm.sh("stat -c '%n %a' /var/lib/ledge/*/")).stdout.trim();
  for (const line of state.split('\n')) assert.match(line, / 7[05]0$/, line);
  log(`${accounts.length} accounts; ${denied.stderr.trim()}`);
}

/** Links the connector to the host's cloud (as connector-cloud does); its local account comes from its unit's environment. */
async function linkConnector(vm: Vm, log: (l: string) => void): Promise<void> {
  const cloud = { address: `tcp://${HOST_ALIAS}:${CLOUD_PORT_IN_GUEST}`, deviceId: DEVICE, tenantId: 'demo' };
  // Merged into the file in place (node keeps its mode and owner: root:ledge 0640).
  const merge = `const fs=require('fs');const f='/etc/ledge/connector.json';fs.writeFileSync(f,JSON.stringify({...JSON.parse(fs.readFileSync(f,'utf8')),...JSON.parse(process.argv[1])},null,2)+'\\n')`;
  await vm.sh(`mkdir -p /run/ledge-e2e && cp -p /etc/ledge/connector.json ${SAVED_CONNECTOR_CONFIG} && node -e "${merge}" '${JSON.stringify(cloud)}' && systemctl restart ledge-connector`, { timeoutMs: 120_000 });
  await brokerAnswers(vm, 90_000);
  const c = await client(vm, 'acl-status');
  try {
    let connected = false;
    c.on('message', (_t, p) => void (connected = (JSON.parse(p.toString() || '{}') as { connected?: boolean }).connected === true));
    await c.subscribeAsync(STATUS_TOPIC, { qos: 1 });
    log(`connector linked to the host cloud after ${await waitFor('connected:true from the connector', 120_000, async () => connected)} ms`);
  } finally {
    await close(c);
  }
}

/** The cloud's install of a script served by the host; resolves with the lastOperation statuses seen once it ends. */
async function installFromCloud(cloud: Cloud, north: MqttClient, path: string, script: Buffer): Promise<string[]> {
  const cid = `e2e-acl-${randomUUID().slice(0, 8)}`;
  const statuses: string[] = [];
  north.on('message', (_t, payload) => {
    const env = JSON.parse(payload.toString()) as { path?: string; value?: { status?: string; correlationId?: string } };
    if (env.path?.endsWith('/status/lastOperation') && env.value?.correlationId === cid && env.value.status) statuses.push(env.value.status);
  });
  cloud.files.set(path, script);
  const envelope = commandEnvelope({ thingId: DEVICE, featureId: 'SoftwareUpdatable', subject: 'install', correlationId: cid, value: installValue({ correlationId: cid, module: 'e2e-acl-control', path, script }) });
  await north.publishAsync(`command///req/${cid}/install`, JSON.stringify(envelope), { qos: 1 });
  await waitFor('the control install to end', 180_000, async () => statuses.some((s) => s.startsWith('FINISHED_')));
  return statuses;
}

export const noRootThroughTheBus: Scenario = {
  name: 'no-root-through-the-bus',
  proves:
    "issue 23 with the packaged units: /etc/ledge/secrets holds every app's password (0400, the app's user) and the broker's password file (0640 root:ledge), nobody can read them; the same SoftwareUpdatable install that runs when the cloud sends it is dropped by the broker when the local user nobody publishes it (nothing downloaded, nothing run, the drop logged naming the client), a forged link status reaches no subscriber, and the connector's account with a wrong password is refused",
  timeoutMs: 10 * 60_000,
  skip: (ctx) => (ctx.apps.some((a) => a.app === 'software-update') ? false : 'ledge-software-update not installed'),
  async run({ vm, cloud, log }) {
    await checkSecrets(vm, log);
    await vm.sh(`mkdir -p /run/ledge-e2e && printf '%s' '${readFileSync(join(import.meta.dirname, '..', 'guest', 'mqtt-publish.mjs')).toString('base64')}' | base64 -d > ${CLIENT_IN_GUEST} && chmod 0644 ${CLIENT_IN_GUEST}`);
    await linkConnector(vm, log);
    const north = await connectCloud(cloud);
    const pwnedGets = countGets(cloud.files, '/pwned.sh');
    try {
      await north.subscribeAsync('event/#', { qos: 1 });

      // Control: the cloud's install, through the connector's account, runs (so the agent is listening).
      await vm.sh(`rm -f ${CONTROL_MARKER} ${PWNED}`);
      let t = Date.now();
      const control = await installFromCloud(cloud, north, '/acl-control.sh', Buffer.from(`#!/bin/sh\necho ok > ${CONTROL_MARKER}\n`));
      log(`control: the cloud's install ran in ${Date.now() - t} ms (${control.join(' → ')})`);
      assert.ok(control.includes('FINISHED_SUCCESS'), control.join(' → '));
      assert.equal(await exists(vm, CONTROL_MARKER), true, 'the control script ran as root');

      // (b) The same kind of install, published by the local user nobody as an anonymous client.
      const forger = `e2e-forger-${randomUUID().slice(0, 8)}`;
      const script = Buffer.from(`#!/bin/sh\ntouch ${PWNED}\n`);
      cloud.files.set('/pwned.sh', script);
      const cid = `e2e-forged-${randomUUID().slice(0, 8)}`;
      const forged = commandEnvelope({ thingId: DEVICE, featureId: 'SoftwareUpdatable', subject: 'install', correlationId: cid, value: installValue({ correlationId: cid, module: 'e2e-pwn', path: '/pwned.sh', script }) });
      const events: string[] = [];
      north.on('message', (_t, p) => void (p.toString().includes(cid) && events.push(p.toString())));
      t = Date.now();
      const pub = await guestMqtt(vm, 'nobody', { clientId: forger, topic: 'command///req/x1/install', payload: JSON.stringify(forged) });
      assert.deepEqual(pub, { connack: 0, puback: true }, 'an anonymous local client connects and gets its PUBACK (MQTT 3.1.1 has no negative one)');
      await waitFor('the broker to log the drop', 20_000, async () => (await brokerLines(vm, forger)).some((l) => l['msg'] === 'publish denied by ACL, dropped'));
      const drop = (await brokerLines(vm, forger)).find((l) => l['msg'] === 'publish denied by ACL, dropped')!;
      assert.equal(drop['topic'], 'command///req/x1/install');
      assert.equal(drop['level'], 'warn', 'logged at warn');
      await new Promise((r) => setTimeout(r, Math.max(0, FORGED_WAIT_MS - (Date.now() - t))));
      assert.equal(pwnedGets.count(), 0, "nothing downloaded from the host's artifact server");
      assert.equal(await exists(vm, PWNED), false, `${PWNED} absent: nothing ran`);
      assert.deepEqual(events, [], 'software update reported no operation for the forged command');
      log(`forged install from nobody (${forger}): dropped, ${JSON.stringify(drop)}; after ${FORGED_WAIT_MS} ms nothing downloaded or run`);

      // (c) A forged link status from an anonymous client reaches no subscriber, and does not replace the retained one.
      const marker = `forged-${randomUUID().slice(0, 8)}`;
      const watcher = await client(vm, 'acl-status-watch');
      try {
        const seen: string[] = [];
        watcher.on('message', (_t, p) => void seen.push(p.toString()));
        await within(watcher.subscribeAsync(STATUS_TOPIC, { qos: 1 }), 15_000, 'SUBACK');
        await waitFor("the connector's retained status", 15_000, async () => seen.length > 0);
        const statusForger = `e2e-status-forger-${randomUUID().slice(0, 8)}`;
        const r = await guestMqtt(vm, 'nobody', { clientId: statusForger, topic: STATUS_TOPIC, payload: JSON.stringify({ connected: false, cause: marker }), retain: true });
        assert.deepEqual(r, { connack: 0, puback: true });
        await waitFor('the broker to log the drop', 20_000, async () => (await brokerLines(vm, statusForger)).some((l) => l['msg'] === 'publish denied by ACL, dropped'));
        await new Promise((res) => setTimeout(res, 3_000));
        assert.equal(seen.filter((s) => s.includes(marker)).length, 0, 'the subscriber never saw the forged status');
      } finally {
        await close(watcher);
      }
      const late = await client(vm, 'acl-status-late');
      try {
        const retained = new Promise<string>((res) => late.on('message', (_t, p) => res(p.toString())));
        await within(late.subscribeAsync(STATUS_TOPIC, { qos: 1 }), 15_000, 'SUBACK');
        const status = await within(retained, 15_000, 'the retained status');
        assert.doesNotMatch(status, new RegExp(marker), "the retained status is still the connector's");
        log(`forged status dropped; retained status still ${status}`);
      } finally {
        await close(late);
      }

      // (d) The connector's account name with a wrong password is refused (CONNACK 4, bad user name or password).
      const impostor = `e2e-impostor-${randomUUID().slice(0, 8)}`;
      const refused = await guestMqtt(vm, 'nobody', { clientId: impostor, username: 'ledge-connector', password: 'not-the-password', topic: 'command///req/x2/install', payload: JSON.stringify(forged) });
      assert.equal(refused.puback, false);
      assert.ok(refused.connack === 4 || refused.connack === 5, `CONNACK ${refused.connack}`);
      const line = (await brokerLines(vm, impostor)).find((l) => l['msg'] === 'connection refused');
      assert.ok(line, 'the broker logged the refusal');
      assert.equal(line['username'], 'ledge-connector');
      log(`ledge-connector with a wrong password: CONNACK ${refused.connack} (${String(line['why'])})`);
      assert.equal(pwnedGets.count(), 0, 'still nothing downloaded');
      assert.equal(await exists(vm, PWNED), false);
    } finally {
      pwnedGets.restore();
      cloud.files.delete('/pwned.sh');
      cloud.files.delete('/acl-control.sh');
      await closeCloud(north);
      // Put the connector's configuration back as this scenario found it.
      await vm.sh(`cp -p ${SAVED_CONNECTOR_CONFIG} /etc/ledge/connector.json && systemctl restart ledge-connector; rm -f ${CONTROL_MARKER} ${PWNED}`, { allowFail: true, timeoutMs: 120_000 });
    }
  },
};
