// Issue 17 on the packaged stack: a power cut loses no event the broker acknowledged (fsync always), or
// only those of the last fsync window (fsync interval, the default). A local app (on the host, through the
// forwarded port) publishes QoS 1 events on `e` while the connector is stopped, so every event waits in the
// broker's queue for the connector's persistent session; QEMU is SIGKILLed mid-stream (no shutdown, the
// guest's unwritten page cache is gone) and the same disk boots again. The connector starts at boot and
// forwards the queue: every event acknowledged before the cut must reach the cloud, except, with
// `interval`, events acknowledged within the window before the cut.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { brokerAnswers, isActive, waitFor } from '../lib/guest-checks';
import type { Vm } from '../lib/vm';
import { closeCloud, connectCloud, DEVICE, type Cloud } from '../lib/cloud';
import type { Scenario } from '../scenarios';

const WINDOW = 16;
/** How long the app publishes before the cut (the emulated broker takes a few hundred QoS 1 events a second). */
const PUBLISH_MS = 6_000;
/** The broker's default fsyncInterval; the allowed loss with `interval` is what it acknowledged this long before the cut, plus one fdatasync. */
const FSYNC_INTERVAL_MS = 200;
/** An fdatasync of the journal under emulation, and the host's view of acknowledgement times. */
const SYNC_MARGIN_MS = 1_000;
const BROKER_CONFIG = '/etc/ledge/broker.json';
const SAVED_BROKER_CONFIG = '/var/lib/ledge-e2e-broker.json';

/** Sets the broker's fsync policy in its config file (kept otherwise) and restarts it. */
async function setFsync(vm: Vm, fsync: 'always' | undefined): Promise<void> {
  const merge = `const fs=require('fs');const f='${BROKER_CONFIG}';const c=JSON.parse(fs.readFileSync(f,'utf8'));const v=process.argv[1];if(v)c.fsync=v;else delete c.fsync;fs.writeFileSync(f,JSON.stringify(c,null,2)+'\\n')`;
  await vm.sh(`node -e "${merge}" '${fsync ?? ''}' && systemctl restart ledge-broker`, { timeoutMs: 120_000 });
  await brokerAnswers(vm, 90_000);
}

interface Run {
  acked: Map<number, number>;
  cutAt: number;
}

/** Publishes numbered events with at most WINDOW unacknowledged until QEMU is killed; records each PUBACK's host time. */
async function publishThenCut(vm: Vm, runId: string): Promise<Run> {
  const app: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${vm.mqttPort}`, { clientId: `ledge-e2e-power-${runId}`, reconnectPeriod: 0, connectTimeout: 15_000 });
  app.on('error', () => undefined); // the cut ends the connection; unacknowledged publishes simply stay unacknowledged
  await new Promise<void>((resolve, reject) => {
    app.once('connect', () => resolve());
    app.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
  const acked = new Map<number, number>();
  let next = 0;
  let stop = false;
  const one = async (): Promise<void> => {
    while (!stop) {
      const n = next++;
      const env = { topic: `${DEVICE.replace(':', '/')}/things/twin/commands/modify`, headers: {}, path: '/attributes/powerCut', value: { run: runId, n } };
      try {
        await app.publishAsync('e', JSON.stringify(env), { qos: 1 });
      } catch {
        return; // the connection died with the VM
      }
      acked.set(n, Date.now());
    }
  };
  const publishing = Promise.all(Array.from({ length: WINDOW }, one));
  await new Promise((r) => setTimeout(r, PUBLISH_MS));
  const cutAt = Date.now();
  const cutting = vm.powerCut();
  stop = true;
  // The cut resets the connection; MQTT.js keeps the unacknowledged publishes for a reconnect that never
  // comes, so they are ended here rather than awaited.
  app.end(true);
  await Promise.race([publishing, new Promise((r) => setTimeout(r, 5_000))]);
  await cutting;
  return { acked, cutAt };
}

async function oneCut(vm: Vm, cloud: Cloud, fsync: 'always' | 'interval', log: (l: string) => void): Promise<void> {
  await setFsync(vm, fsync === 'always' ? 'always' : undefined);
  const runId = `${fsync}-${randomUUID().slice(0, 8)}`;
  const north = await connectCloud(cloud);
  try {
    const received = new Map<number, number>();
    north.on('message', (_topic, payload) => {
      try {
        const v = (JSON.parse(payload.toString()) as { value?: { run?: string; n?: number } }).value;
        if (v?.run === runId && typeof v.n === 'number') received.set(v.n, (received.get(v.n) ?? 0) + 1);
      } catch {
        // not an envelope of this run
      }
    });
    await north.subscribeAsync('event/#', { qos: 1 });
    // Everything waits in the broker's queue for the connector's session, none of it in the connector's outbox.
    await vm.sh('systemctl stop ledge-connector', { timeoutMs: 60_000 });
    const { acked, cutAt } = await publishThenCut(vm, runId);
    const bootMs = Date.now() - cutAt;
    await waitFor('the broker back after the cut', 120_000, () => isActive(vm, 'ledge-broker.service'));
    // always: every acknowledged event, also those acknowledged after the kill was sent (the guest still ran).
    const window = fsync === 'always' ? Infinity : FSYNC_INTERVAL_MS + SYNC_MARGIN_MS;
    const mustArrive = [...acked].filter(([, at]) => window === Infinity || at < cutAt - window).map(([n]) => n);
    const missing = () => mustArrive.filter((n) => !received.has(n));
    const what = window === Infinity ? 'every acknowledged event' : `every event acknowledged more than ${window} ms before the cut`;
    await waitFor(`${what} at the cloud`, 180_000, async () => missing().length === 0).catch(async (err: unknown) => {
      // What the next reader needs to find where they went: the broker's store and the connector's outbox
      // as `ledge status` reports them, and what both units logged since the reboot.
      const status = await vm.sh('ledge status --json', { allowFail: true, timeoutMs: 60_000 }).then((r) => r.stdout.trim(), () => 'no status');
      const journal = await vm.sh('journalctl -b -u ledge-broker -u ledge-connector -o cat --no-pager | grep -v \'"level":20\' | tail -40', { allowFail: true, timeoutMs: 60_000 }).then((r) => r.stdout.trim(), () => 'no journal');
      log(`power-cut failure, ledge status --json: ${status}`);
      log(`power-cut failure, broker and connector since the reboot:\n${journal}`);
      throw new Error(`${(err as Error).message}: ${missing().length} of ${mustArrive.length} missing (first ${missing().slice(0, 10).join(',')}), fsync ${fsync}`);
    });
    // Events acknowledged inside the window may arrive or not; count them for the record.
    const inWindow = [...acked.keys()].filter((n) => !mustArrive.includes(n));
    const settled = await waitFor('the window\'s events that survived', 10_000, async () => inWindow.every((n) => received.has(n))).then(
      () => 'all arrived',
      () => `${inWindow.filter((n) => !received.has(n)).length} of ${inWindow.length} lost`,
    );
    const duplicates = [...received.values()].filter((c) => c > 1).length;
    log(`fsync ${fsync}: ${acked.size} events acknowledged before the cut, back up ${bootMs} ms later; ${mustArrive.length} (${what}) all at the cloud; in the window: ${inWindow.length} (${settled}); ${duplicates} delivered more than once`);
  } finally {
    await closeCloud(north);
  }
}

export const powerCut: Scenario = {
  name: 'power-cut',
  proves:
    'issue 17 with the packaged units: a local app publishes QoS 1 events while the connector is stopped and QEMU is SIGKILLed mid-stream; after the reboot every event the broker acknowledged reaches the cloud (fsync always), or every one acknowledged before the last fsync window (fsync interval, the default)',
  timeoutMs: 12 * 60_000,
  skip: ({ apps }) => (apps.some((a) => a.app === 'connector') && apps.some((a) => a.app === 'broker') ? false : 'broker and connector not both packaged'),
  async run({ vm, cloud, log }) {
    await vm.sh(`cp -p ${BROKER_CONFIG} ${SAVED_BROKER_CONFIG}`);
    try {
      await oneCut(vm, cloud, 'always', log);
      await oneCut(vm, cloud, 'interval', log);
    } finally {
      await vm.sh(`cp -p ${SAVED_BROKER_CONFIG} ${BROKER_CONFIG} && rm -f ${SAVED_BROKER_CONFIG} && systemctl restart ledge-broker ledge-connector`, { allowFail: true, timeoutMs: 120_000 });
    }
  },
};
