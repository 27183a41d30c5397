// The gateway and the cloud on the host: the connector reaches it, `ledge status` reports the link and the
// apps, Ditto commands and events go both ways, and a software update from the cloud runs on the gateway.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { HOST_ALIAS } from '../lib/vm';
import { brokerAnswers, client, close, show, waitFor } from '../lib/guest-checks';
import { CLOUD_PORT_IN_GUEST, commandEnvelope, DEVICE, INSTALL_STATUSES, installValue, withoutProgress } from '../lib/cloud';
import type { Scenario } from '../scenarios';
import { perAppUnits } from './packaged-units';

export const connectorCloud: Scenario = {
  name: 'connector-cloud',
  proves: 'the packaged connector reaches a cloud broker on the host (through a QEMU guestfwd) and announces connected and the device identity locally',
  timeoutMs: 4 * 60_000,
  async run({ vm, log }) {
    const config = { address: `tcp://${HOST_ALIAS}:${CLOUD_PORT_IN_GUEST}`, deviceId: DEVICE, tenantId: 'demo' };
    await vm.sh(`printf '%s' '${JSON.stringify(config)}' > /etc/ledge/connector.json && systemctl restart ledge-connector`, { timeoutMs: 120_000 });
    await brokerAnswers(vm, 90_000);
    const c = await client(vm, 'status');
    try {
      let status: { connected?: boolean; cause?: string } = {};
      let identity = '';
      c.on('message', (topic, payload) => {
        if (topic === 'edge/connection/remote/status') status = JSON.parse(payload.toString() || '{}') as typeof status;
        else if (topic === 'edge/thing/response') identity = payload.toString();
      });
      await c.subscribeAsync(['edge/connection/remote/status', 'edge/thing/response'], { qos: 1 });
      const ms = await waitFor('connected:true on edge/connection/remote/status', 120_000, async () => status.connected === true);
      log(`connector connected to the host cloud ${ms} ms after the subscription (last status ${JSON.stringify(status)})`);
      await c.publishAsync('edge/thing/request', '', { qos: 0 });
      await waitFor('edge/thing/response', 20_000, async () => identity !== '');
      assert.equal((JSON.parse(identity) as { deviceId: string }).deviceId, DEVICE);
    } finally {
      await close(c);
    }
  },
};

export const ledgeStatus: Scenario = {
  name: 'ledge-status',
  proves: '`ledge status` on the gateway (as root): exit 0 with the cloud link connected, every packaged app up on edge/health/<app> with its unit\'s MainPID and NRestarts, the containers from container management, the data directories; --json says the same; `ledge logs broker -n 5` prints the broker\'s last 5 journal lines',
  timeoutMs: 2 * 60_000,
  async run({ vm, apps, log }) {
    const expected = ['broker', ...perAppUnits({ apps }).map((u) => u.replace(/^ledge-/, '').replace(/\.service$/, '')).filter((a) => a !== 'broker')].sort();
    let last = '';
    const ms = await waitFor('ledge status exit 0', 60_000, async () => {
      const r = await vm.sh('ledge status --json', { allowFail: true });
      last = `${r.code}: ${r.stdout}${r.stderr}`;
      return r.code === 0;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last: ${last}`);
    });
    const report = JSON.parse(last.slice(last.indexOf(':') + 1)) as { apps: Record<string, { status: string; pid: number; restarts?: number }>; cloud?: { connected: boolean }; containers?: { total?: number; unavailable?: string }; disk: { path: string }[]; problems: string[] };
    assert.deepEqual(Object.keys(report.apps).sort(), expected);
    for (const app of expected) {
      assert.equal(report.apps[app]!.status, 'up', app);
      assert.equal(String(report.apps[app]!.pid), await show(vm, `ledge-${app}.service`, 'MainPID'), `${app}: the unit's process`);
      assert.equal(report.apps[app]!.restarts, Number(await show(vm, `ledge-${app}.service`, 'NRestarts')), `${app}: restarts as systemd counts them`);
    }
    assert.equal(report.cloud?.connected, true);
    if (expected.includes('container-management')) assert.equal(typeof report.containers?.total, 'number', JSON.stringify(report.containers));
    assert.ok(report.disk.some((d) => d.path === '/var/lib/ledge/broker'), JSON.stringify(report.disk));
    const text = (await vm.sh('ledge status')).stdout;
    assert.match(text, /^Status: {5}OK$/m);
    log(`ledge status OK after ${ms} ms:\n${text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')}`);
    // ledge logs: the broker's own journal lines, as logged
    const lines = (await vm.sh('ledge logs broker -n 5 --raw')).stdout.trim().split('\n');
    assert.equal(lines.length, 5, lines.join('\n'));
    for (const l of lines) assert.equal((JSON.parse(l) as { name?: string }).name, 'broker', l);
  },
};

export const dittoRoundtrip: Scenario = {
  name: 'ditto-roundtrip',
  proves: 'a Ditto command sent at the cloud reaches a local app on the gateway, its response and an event go back up',
  timeoutMs: 3 * 60_000,
  async run({ vm, cloud, log }) {
    const local = await client(vm, 'app');
    const north = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.port}`, { reconnectPeriod: 0 });
    try {
      const envelope = (status?: number) =>
        JSON.stringify({
          topic: `${DEVICE.replace(':', '/')}/things/live/messages/ping`,
          headers: { 'correlation-id': 'e2e-1', timeout: '30s', 'response-required': true },
          path: status === undefined ? '/features/E2E/inbox/messages/ping' : '/features/E2E/outbox/messages/ping',
          value: 'hello',
          ...(status === undefined ? {} : { status }),
        });
      // The local app: answers every command of the gateway's own thing.
      local.on('message', (topic) => {
        const m = /^command\/\/\/req\/([^/]+)\//.exec(topic);
        if (m) void local.publishAsync(`command///res/${m[1]}/200`, envelope(200), { qos: 1 });
      });
      await local.subscribeAsync('command///req/#', { qos: 1 });
      const upstream: string[] = [];
      north.on('message', (topic) => void upstream.push(topic));
      await north.subscribeAsync(['command///res/#', 'command//+/res/#', 'event/#'], { qos: 1 });
      const t0 = Date.now();
      await north.publishAsync(`command///req/e2e-req-1/ping`, envelope(), { qos: 1 });
      await waitFor('the response at the cloud', 60_000, async () => upstream.some((t) => t.endsWith('/res/e2e-req-1/200')));
      log(`round trip cloud → gateway app → cloud in ${Date.now() - t0} ms`);
      await local.publishAsync('e', JSON.stringify({ topic: `${DEVICE.replace(':', '/')}/things/twin/commands/modify`, headers: {}, path: '/features/E2E/properties/x', value: 1 }), { qos: 1 });
      await waitFor('the event at the cloud', 60_000, async () => upstream.some((t) => t.startsWith('event')));
      log(`cloud saw: ${upstream.join(', ')}`);
    } finally {
      await close(local);
      await north.endAsync().catch(() => north.end(true));
    }
  },
};

export const softwareUpdate: Scenario = {
  name: 'software-update',
  proves: 'a SoftwareUpdatable install sent from the cloud downloads a script from the host, verifies it, runs it on the gateway and reports FINISHED_SUCCESS',
  timeoutMs: 4 * 60_000,
  skip: (ctx) => (ctx.apps.some((a) => a.app === 'software-update') ? false : 'ledge-software-update not installed'),
  async run({ vm, cloud, log }) {
    const script = Buffer.from('#!/bin/sh\necho "progress 50" >/dev/null\necho ledge-e2e > /var/lib/ledge-e2e-installed\nexit 0\n');
    cloud.files.set('/install.sh', script);
    const north = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.port}`, { reconnectPeriod: 0 });
    try {
      const statuses: string[] = [];
      north.on('message', (_topic, payload) => {
        const env = JSON.parse(payload.toString()) as { path?: string; value?: { status?: string } };
        if (env.path === '/features/SoftwareUpdatable/properties/status/lastOperation' && env.value?.status) statuses.push(env.value.status);
      });
      await north.subscribeAsync('event/#', { qos: 1 });
      const cid = `e2e-su-${randomUUID().slice(0, 8)}`;
      const value = installValue({ correlationId: cid, module: 'e2e-hello', path: '/install.sh', script });
      const envelope = commandEnvelope({ thingId: DEVICE, featureId: 'SoftwareUpdatable', subject: 'install', correlationId: cid, value });
      const t0 = Date.now();
      await north.publishAsync('command///req/e2e-su-1/install', JSON.stringify(envelope), { qos: 1 });
      await waitFor('FINISHED_SUCCESS in lastOperation', 180_000, async () => statuses.includes('FINISHED_SUCCESS') || statuses.includes('FINISHED_ERROR'));
      log(`software update ${Date.now() - t0} ms: ${statuses.join(' → ')}`);
      assert.deepEqual(withoutProgress(statuses), INSTALL_STATUSES);
      assert.equal((await vm.sh('cat /var/lib/ledge-e2e-installed')).stdout.trim(), 'ledge-e2e', 'the script ran on the gateway');
    } finally {
      await north.endAsync().catch(() => north.end(true));
    }
  },
};
