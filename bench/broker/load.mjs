// One load run against one broker (a child process of run.mjs, so clients never share the broker's
// event loop). Prints one JSON line with the result.
import mqtt from 'mqtt';

const o = JSON.parse(process.argv[2]);
const { url, qos, size, pubs, subs, count, window: win = 64, ratePerSec = 0 } = o;
const total = pubs * count;
const lat = new Float64Array(total * subs);
let nLat = 0;
let delivered = 0;
let lastDelivery = 0;
const topic = (i) => `bench/${o.tag}/${i}`;

function connect(id) {
  return new Promise((res, rej) => {
    const c = mqtt.connect(url, { clientId: `${o.tag}-${id}`, clean: true, reconnectPeriod: 0, protocolVersion: 4 });
    c.once('connect', () => {
      c.stream.setNoDelay?.(true);
      res(c);
    });
    c.once('error', rej);
  });
}

const subClients = await Promise.all(Array.from({ length: subs }, (_, i) => connect(`s${i}`)));
let resolveDone;
const done = new Promise((r) => (resolveDone = r));
for (const c of subClients) {
  c.on('message', (_t, payload) => {
    const sent = payload.readDoubleLE(0);
    lat[nLat++] = performance.now() - sent;
    delivered++;
    lastDelivery = performance.now();
    if (delivered === total * subs) resolveDone();
  });
  await c.subscribeAsync(`bench/${o.tag}/+`, { qos });
}
const pubClients = await Promise.all(Array.from({ length: pubs }, (_, i) => connect(`p${i}`)));
const payloadOf = () => {
  const b = Buffer.alloc(size, 0x61);
  b.writeDoubleLE(performance.now(), 0);
  return b;
};

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
          c.publish(topic(i), payloadOf(), { qos }, () => {
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
// A broker that drops messages (Mosquitto drops QoS 0 for a subscriber that falls behind) never
// delivers them all: the run ends once deliveries have stopped for a second, and throughput counts up
// to the last delivery, so a drop shows as delivered < expected rather than as a 60 s wait.
const quiet = new Promise((r) => {
  const t = setInterval(() => {
    if (performance.now() - Math.max(lastDelivery, t0) > 1000) {
      clearInterval(t);
      r();
    }
  }, 100);
  done.then(() => (clearInterval(t), r()));
});
await quiet;
const seconds = ((delivered === total * subs ? performance.now() : lastDelivery) - t0) / 1000;
const sorted = lat.subarray(0, nLat).sort();
const pct = (p) => (nLat ? sorted[Math.min(nLat - 1, Math.floor((p / 100) * nLat))] : NaN);
await Promise.all([...subClients, ...pubClients].map((c) => c.endAsync()));
console.log(
  JSON.stringify({ published: total, expected: total * subs, delivered, seconds, msgsPerSec: delivered / seconds, p50: pct(50), p99: pct(99) }),
);
process.exit(0);
