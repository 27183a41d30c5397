// Hono / Bosch IoT Suite mapping (suite-connector's non-"generic" routing, §1.3 and §2.1.5): pure
// functions from one message to the messages to publish. What all clouds share (outbox, correlation
// cache, status, identity) lives in the bridge.
import { withDefaults } from '@ledge/shared/util';
import type { BusMessage, CloudProtocol, DeviceContext, Mapped, QoS } from '@ledge/connector/model-connector';
import { buildCommandSubscription, routeCloudToLocal, routeLocalToCloud } from '@ledge/shared/model-hono';

export interface HonoProtocolOptions {
  /**
   * QoS of telemetry at the cloud. Kanto sends everything at QoS 1 (§1.3); 'keep' keeps the local QoS
   * so QoS 0 telemetry stays at-most-once end to end.
   */
  readonly telemetryQos: 'keep' | 1;
}

export const defaultHonoProtocolOptions: Readonly<HonoProtocolOptions> = Object.freeze({ telemetryQos: 'keep' });

/** Local filters the connector subscribes (QoS 1): both forms of every uplink topic (§2.1.4). */
export const HONO_LOCAL_SUBSCRIPTIONS: readonly string[] = Object.freeze(['e/#', 'event/#', 't/#', 'telemetry/#', 'command//+/res/#', 'c//+/s/#']);

/** The gateway subscription at Hono: commands for the gateway and every device it acts for (§1.3). */
export const HONO_CLOUD_COMMAND_SUBSCRIPTION = 'command//+/req/#';

const ok = (messages: BusMessage[]): Mapped => ({ ok: true, messages });
const drop = (reason: string): Mapped => ({ ok: false, drop: reason });

export function createHonoProtocol(options: Partial<HonoProtocolOptions> = {}): CloudProtocol {
  const o = withDefaults(defaultHonoProtocolOptions, options);
  return {
    name: 'hono',
    localSubscriptions: HONO_LOCAL_SUBSCRIPTIONS,
    cloudSubscriptions: () => [HONO_CLOUD_COMMAND_SUBSCRIPTION],
    deviceCommandSubscription: (deviceId: string) => buildCommandSubscription(deviceId),
    toCloud(message: BusMessage, ctx: DeviceContext): Mapped {
      const routed = routeLocalToCloud(message.topic, ctx);
      if (!routed.ok) return drop(routed.problems.join('; '));
      const qos: QoS = routed.source.kind === 'telemetry' && o.telemetryQos === 'keep' ? (message.qos === 0 ? 0 : 1) : 1;
      return ok([{ topic: routed.topic, payload: message.payload, qos }]);
    },
    toLocal(message: BusMessage): Mapped {
      const routed = routeCloudToLocal(message.topic);
      if (!routed.ok) return drop(routed.problems.join('; '));
      const qos: QoS = message.qos === 0 ? 0 : 1;
      return ok(routed.topics.map((topic) => ({ topic, payload: message.payload, qos })));
    },
  };
}
