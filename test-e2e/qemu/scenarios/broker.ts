// The packaged broker from the host: MQTT through the forwarded port, and retained state that survives a
// restart under the unit's hardening.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { brokerAnswers, client, close, roundTrip, within } from '../lib/guest-checks';
import type { Scenario } from '../scenarios';

export const mqttRoundTrip: Scenario = {
  name: 'mqtt-round-trip',
  proves: 'the broker answers MQTT through the forwarded port: publish QoS 1 from the host, receive it on the host',
  timeoutMs: 2 * 60_000,
  async run({ vm, log }) {
    log(`broker answered after ${await brokerAnswers(vm, 60_000)} ms`);
    log(`round trip ${await roundTrip(vm, 'ledge/e2e/round-trip')} ms`);
  },
};

export const retainedSurvivesRestart: Scenario = {
  name: 'retained-survives-restart',
  proves: 'state in /var/lib/ledge/broker is writable under the unit hardening and survives a service restart',
  timeoutMs: 3 * 60_000,
  async run({ vm, log }) {
    const topic = 'ledge/e2e/retained';
    const payload = randomUUID();
    const pub = await client(vm, 'retain');
    await within(pub.publishAsync(topic, payload, { qos: 1, retain: true }), 15_000, 'PUBACK');
    await close(pub);
    await vm.sh('systemctl restart ledge-broker.service', { timeoutMs: 120_000 });
    log(`broker back after ${await brokerAnswers(vm, 90_000)} ms`);
    const sub = await client(vm, 'retained');
    try {
      const got = new Promise<string>((resolve) => sub.on('message', (t, p) => t === topic && resolve(p.toString())));
      await within(sub.subscribeAsync(topic, { qos: 1 }), 15_000, 'SUBACK');
      assert.equal(await within(got, 15_000, 'the retained message after the restart'), payload);
    } finally {
      await close(sub);
    }
  },
};
