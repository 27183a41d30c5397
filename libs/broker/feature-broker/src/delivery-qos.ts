// [MQTT-3.3.5-1] / [MQTT-3.8.4-6]: a message goes to a client once, at min(published QoS, the highest QoS
// granted by any of the client's matching subscriptions). aedes 1.2 delivers through whichever matching
// subscription fires first (a QoS 0 one forces QoS 0) and never lowers QoS for wildcard subscriptions
// (QoS 2 messages reach a QoS 1 subscription of 'a/#' as QoS 2). Fixed in two places:
// - routeDeliveries: every subscription of the client delivers through aedes' QoS path when some matching
//   subscription was granted QoS > 0, and through the QoS 0 path otherwise;
// - capDeliveryQos (called from authorizeForward, which sees every delivery including the offline queue)
//   lowers the packet's QoS to the highest granted one.
// - aedes' deliverQoS then lowers the QoS to that of an exact-topic subscription (`subscriptions[topic]`),
//   even when an overlapping wildcard subscription granted more. routeDeliveries lifts that entry to the
//   computed QoS for the one turn of the event loop in which aedes reads it (its check runs in a
//   setImmediate queued before ours), and puts it back afterwards.
import type { ClientInternals, DeliverFn, DeliveryPacket } from './aedes-internals';
import { matchValidTopic } from '@ledge/shared/model-mqtt';

/** Highest QoS granted by the subscriptions matching `topic`; -1 when none matches. */
export function maxGrantedQos(subscriptions: Record<string, { qos: number }>, topic: string): number {
  let max = -1;
  for (const filter in subscriptions) {
    const qos = subscriptions[filter]!.qos;
    if (qos > max && qos <= 2 && matchValidTopic(filter, topic)) {
      max = qos;
      if (max === 2) break;
    }
  }
  return max;
}

/**
 * The delivery route() is handing to aedes right now, and the QoS it computed: capDeliveryQos runs inside
 * that synchronous call (aedes' deliverQoS → authorizeForward) and would compute the same value again
 * (each is a scan of the client's subscriptions). Set only for the duration of the call.
 */
const routing: { client: ClientInternals | undefined; packet: DeliveryPacket | undefined; granted: number } = { client: undefined, packet: undefined, granted: -1 };

export function routeDeliveries(client: ClientInternals): void {
  const deliver0 = client.deliver0;
  const deliverQoS = client.deliverQoS;
  // exact-topic subscriptions lifted for aedes' check: the real QoS and how many deliveries still need it
  const lifted = new Map<{ qos: number }, { saved: number; pending: number }>();
  const lift = (exact: { qos: number }, want: number) => {
    const entry = lifted.get(exact);
    if ((entry ? entry.saved : exact.qos) >= want) return;
    if (entry) entry.pending++;
    else lifted.set(exact, { saved: exact.qos, pending: 1 });
    exact.qos = Math.max(exact.qos, want);
    setImmediate(() => {
      const e = lifted.get(exact)!;
      if (--e.pending > 0) return;
      lifted.delete(exact);
      exact.qos = e.saved;
    });
  };
  const route: DeliverFn = (packet, callback) => {
    const granted = packet.qos > 0 ? maxGrantedQos(client.subscriptions, packet.topic) : 0;
    if (granted <= 0) {
      deliver0(packet, callback);
      return;
    }
    // aedes calls authorizeForward (capDeliveryQos) synchronously inside deliverQoS: it reuses `granted`
    routing.client = client;
    routing.packet = packet;
    routing.granted = granted;
    try {
      deliverQoS(packet, callback); // queues aedes' setImmediate first, so it reads the lifted QoS
    } finally {
      routing.client = undefined;
      routing.packet = undefined;
    }
    const exact = client.subscriptions[packet.topic];
    if (exact) lift(exact, Math.min(granted, packet.qos));
  };
  client.deliver0 = route;
  client.deliverQoS = route;
}

/** Lowers `packet.qos` in place to the highest granted QoS (never below 1 once on the QoS path). */
export function capDeliveryQos(client: ClientInternals, packet: DeliveryPacket): void {
  if (packet.qos === 0) return;
  const granted = routing.client === client && routing.packet === packet ? routing.granted : maxGrantedQos(client.subscriptions, packet.topic);
  if (granted >= 1 && granted < packet.qos) packet.qos = granted;
}
