// One load run against one broker (a child process of run.mjs, so clients never share the broker's
// event loop). Prints one JSON line with the result.
// `durable` (issue 17): the subscribers have persistent sessions (clean: false, client IDs fixed for the
// run, QoS 1 subscriptions), so a broker that acknowledges only what is durable must journal every
// message for each of them before its PUBACK. 'online': they stay connected; 'offline': they subscribe,
// disconnect, the publishers publish (every message is queued for the offline sessions), then they
// reconnect and drain their queues (counted, so a drop shows). Both report the publisher side: PUBACKs/s
// and publish → PUBACK latency, and the broker's CPU (`pid`) over the publishing only.
import mqtt from 'mqtt';
import { cpuSeconds } from '../cpu.mjs';

const o = JSON.parse(process.argv[2]);
const { url, qos, size, pubs, subs, count, window: win = 64, ratePerSec = 0, durable, pid } = o;
const total = pubs * count;
const lat = new Float64Array(total * subs);
const ackLat = new Float64Array(total);
let nLat = 0;
let nAck = 0;
let lastAck = 0;
let delivered = 0;
let lastDelivery = 0;
const topic = (i) => `bench/${o.tag}/${i}`;

// onMessage is attached before CONNACK: a broker sends a session's queued messages right after it.
function connect(id, clean = !durable, onMessage = undefined) {
  return new Promise((res, rej) => {
    const c = mqtt.connect(url, { clientId: `${o.tag}-${id}`, clean, reconnectPeriod: 0, protocolVersion: 4 });
    if (onMessage) c.on('message', onMessage);
    c.once('connect', () => {
      c.stream.setNoDelay?.(true);
      res(c);
    });
    c.once('error', rej);
  });
}

let resolveDone;
const done = new Promise((r) => (resolveDone = r));
const onMessage = (_t, payload) => {
  const sent = payload.readDoubleLE(0);
  lat[nLat++] = performance.now() - sent;
  delivered++;
  lastDelivery = performance.now();
  if (delivered === total * subs) resolveDone();
};
let subClients = await Promise.all(Array.from({ length: subs }, (_, i) => connect(`s${i}`, !durable, durable === 'offline' ? undefined : onMessage)));
for (const c of subClients) await c.subscribeAsync(`bench/${o.tag}/+`, { qos });
if (durable === 'offline') {
  await Promise.all(subClients.map((c) => c.endAsync()));
  subClients = [];
}
const pubClients = await Promise.all(Array.from({ length: pubs }, (_, i) => connect(`p${i}`, true)));
// A publisher whose connection closes mid-run would wait for its PUBACKs forever: fail loudly instead.
let publishing = true;
for (const c of pubClients)
  c.on('close', () => {
    if (!publishing) return;
    console.error(`load: publisher ${c.options.clientId} lost its connection to ${url}`);
    process.exit(1);
  });
const payloadOf = () => {
  const b = Buffer.alloc(size, 0x61);
  b.writeDoubleLE(performance.now(), 0);
  return b;
};

const cpu0 = pid ? cpuSeconds(pid) : 0;
const t0 = performance.now();
await Promise.all(
  pubClients.map(async (c, i) => {
    let inflight = 0;
    let sent = 0;
    const interval = ratePerSec > 0 ? (1000 * pubs) / ratePerSec : 0;
    await new Promise((res) => {
      const pump = () => {
        while (inflight < win && sent < count) {
          if (interval > 0 && performance.now() < t0 + sent * interval) {
            setTimeout(pump, Math.max(0, t0 + sent * interval - performance.now()));
            return;
          }
          inflight++;
          sent++;
          const at = performance.now();
          c.publish(topic(i), payloadOf(), { qos }, () => {
            lastAck = performance.now();
            ackLat[nAck++] = lastAck - at;
            inflight--;
            if (sent === count && inflight === 0) res();
            else pump();
          });
        }
      };
      pump();
    });
  }),
);
const cpuAcked = pid ? cpuSeconds(pid) : 0;
publishing = false;
// A broker that drops messages (Mosquitto drops QoS 0 for a subscriber that falls behind) never
// delivers them all: the run ends once deliveries have stopped for a second, and throughput counts up
// to the last delivery, so a drop shows as delivered < expected rather than as a 60 s wait.
const quiet = (from) =>
  new Promise((r) => {
    const t = setInterval(() => {
      if (performance.now() - Math.max(lastDelivery, from) > 1000) {
        clearInterval(t);
        r();
      }
    }, 100);
    done.then(() => (clearInterval(t), r()));
  });
let drainSeconds = NaN;
if (durable === 'offline') {
  // The queues go to the reconnecting sessions; a second quiet second ends a drain that lost messages.
  const d0 = performance.now();
  subClients = await Promise.all(Array.from({ length: subs }, (_, i) => connect(`s${i}`, false, onMessage)));
  await quiet(d0);
  drainSeconds = ((delivered === total * subs ? performance.now() : lastDelivery) - d0) / 1000;
} else await quiet(t0);
const cpuEnd = pid ? cpuSeconds(pid) : 0;
const seconds = ((delivered === total * subs ? performance.now() : lastDelivery) - t0) / 1000;
const sorted = lat.subarray(0, nLat).sort();
const sortedAck = ackLat.subarray(0, nAck).sort();
const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
await Promise.all([...subClients, ...pubClients].map((c) => c.endAsync()));
if (durable) {
  // Remove the persistent sessions (a clean connect discards the stored one), so that runs do not pile
  // sessions up in the brokers.
  const cleaners = await Promise.all(Array.from({ length: subs }, (_, i) => connect(`s${i}`, true)));
  await Promise.all(cleaners.map((c) => c.endAsync()));
}
const ackSeconds = (lastAck - t0) / 1000;
console.log(
  JSON.stringify({
    published: total,
    expected: total * subs,
    delivered,
    seconds: durable === 'offline' ? ackSeconds : seconds,
    msgsPerSec: durable === 'offline' ? NaN : delivered / seconds,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    acksPerSec: nAck / ackSeconds,
    ackP50: pct(sortedAck, 50),
    ackP99: pct(sortedAck, 99),
    drainSeconds,
    ...(pid ? { cpuUsPerAck: ((durable === 'offline' ? cpuAcked : cpuEnd) - cpu0) * 1e6 / Math.max(1, nAck) } : {}),
  }),
);
process.exit(0);
