// The local bus as the bridge sees it, for unit tests: the in-memory bus of @ledge/shared/data-access-mqtt/testing
// for everything the bridge publishes (status, identity, commands), plus the broker side of
// `handleIncoming` as MQTT.js and the local broker behave (data-access-mqtt ack-gate.spec.ts proves
// that on the wire): a PUBLISH is handed over at once, its PUBACK waits for the returned promise and
// goes out in receive order; a rejection drops the connection without it, and the broker delivers
// every unacknowledged message again (dup) after the reconnect.
import type { LocalBusClientOptions, QoS } from '@ledge/shared/data-access-mqtt';
import { createFakeLocalBus, type FakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import type { LocalBusFactory } from '../bridge-options';

export type Delivery = 'acked' | 'not acked';

export interface GatedLocalBus {
  /** The in-memory broker: what the bridge published (`published`, `retained`). */
  readonly bus: FakeLocalBus;
  /** BridgeOptions.createLocalBus. */
  readonly createLocalBus: LocalBusFactory;
  /** The options the bridge built its client with (undefined before). */
  options(): LocalBusClientOptions | undefined;
  /** Topics of the PUBACKs sent, in order. */
  readonly pubacks: string[];
  /** A local app's PUBLISH reaching the bridge; resolves when its PUBACK went out (or never will). */
  deliver(topic: string, payload: string | Buffer, qos?: QoS): Promise<Delivery>;
  /** The connection came back: every unacknowledged QoS 1 message is delivered again, dup = true. */
  reconnect(): Promise<Delivery[]>;
}

interface Inflight {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
}

export function createGatedLocalBus(o: { trace?: string[] } = {}): GatedLocalBus {
  const bus = createFakeLocalBus();
  const trace = o.trace ?? [];
  const pubacks: string[] = [];
  const unacked = new Set<Inflight>();
  let captured: LocalBusClientOptions | undefined;
  let previousAck: Promise<unknown> = Promise.resolve();
  let connection = 0;
  let broken = false;

  function receive(m: Inflight, dup: boolean): Promise<Delivery> {
    const gate = captured?.handleIncoming;
    if (gate === undefined) throw new Error('the bridge built no local client with handleIncoming');
    const conn = connection;
    if (m.qos > 0) unacked.add(m);
    const handled = Promise.resolve().then(() => gate({ topic: m.topic, payload: m.payload, qos: m.qos, retain: false, dup }));
    // PUBACKs in receive order [MQTT-4.6.0-2]: each waits for its own promise and the one before it.
    const ack = Promise.all([handled, previousAck.catch(() => undefined)]).then(
      (): Delivery => {
        if (m.qos === 0) return 'not acked';
        if (broken || conn !== connection) return 'not acked';
        unacked.delete(m);
        pubacks.push(m.topic);
        trace.push(`puback ${m.topic}`);
        return 'acked';
      },
      (): Delivery => {
        if (conn === connection) broken = true; // MQTT.js ends the connection: no PUBACK from here on
        trace.push(`no puback ${m.topic}`);
        return 'not acked';
      },
    );
    previousAck = ack;
    return ack;
  }

  return {
    bus,
    createLocalBus(options) {
      captured = options;
      return bus.createClient({ clientId: options.clientId ?? 'ledge-connector', ...(options.logger ? { logger: options.logger } : {}) });
    },
    options: () => captured,
    pubacks,
    deliver: (topic, payload, qos = 1) => receive({ topic, payload: Buffer.from(payload), qos }, false),
    reconnect() {
      connection++;
      broken = false;
      previousAck = Promise.resolve();
      const again = [...unacked];
      unacked.clear();
      return Promise.all(again.map((m) => receive(m, true)));
    },
  };
}
