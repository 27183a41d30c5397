// The pluggable part of the connector: how local-bus traffic maps to one cloud's MQTT topic layout and
// back (Hono / Bosch IoT Suite, AWS IoT Core, Azure IoT Hub). Implementations are pure: no I/O, clock
// injected through the context, so every mapping is tested without a broker (STYLE.md "Pure cores").
// The bridge (feature-bridge) owns everything stateful that all clouds share: the durable outbox,
// the correlation cache for command responses (§2.1.5), status and identity announcements.

export type QoS = 0 | 1 | 2;

export interface BusMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain?: boolean;
}

export interface DeviceContext {
  /** Ditto thing ID / Hono device ID of the gateway, `ns:name`. */
  readonly deviceId: string;
  readonly tenantId: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/**
 * What a mapping made of one message. `{ ok: true, messages: [] }` means *consumed*: the protocol used
 * the message itself (e.g. AWS shadow `update/accepted` teaching it the last reported state) and nothing
 * is published; the bridge neither forwards nor logs it as a drop. `{ ok: false }` is a drop with a reason.
 */
export type Mapped =
  | {
      readonly ok: true;
      readonly messages: readonly BusMessage[];
      /**
       * Desired properties the cloud message carried (AWS shadow `get/accepted` and `update/delta`, Azure
       * twin GET response and desired-property patches): the bridge applies them to the local twin, or
       * publishes them as local twin events when local twins are off.
       */
      readonly desired?: readonly DesiredUpdate[];
    }
  | { readonly ok: false; readonly drop: string };

/** Desired properties of one feature, as a cloud reported them. */
export interface DesiredUpdate {
  /** Ditto thing ID (`ns:name`): the gateway or one of its `<deviceId>:` children. */
  readonly thingId: string;
  readonly featureId: string;
  /**
   * `replace`: `value` is the feature's whole desired properties (`null` or `{}`: none);
   * `merge`: `value` is a JSON merge patch (RFC 7396: `null` removes a key).
   */
  readonly mode: 'replace' | 'merge';
  readonly value: { readonly [key: string]: unknown } | null;
}

/** A thing the gateway keeps a twin of, and its features (from the local twin store, or what the protocol learnt). */
export interface KnownTwin {
  readonly thingId: string;
  readonly featureIds: readonly string[];
}

export interface CloudProtocol {
  readonly name: 'hono' | 'aws' | 'azure';
  /** Filters the bridge subscribes on the local bus for traffic going up (QoS 1). */
  readonly localSubscriptions: readonly string[];
  /** Filters the bridge subscribes at the cloud after each connect. */
  cloudSubscriptions(ctx: DeviceContext): readonly string[];
  /** A local message → what to publish at the cloud (possibly several, e.g. shadow updates), or a drop reason. */
  toCloud(message: BusMessage, ctx: DeviceContext): Mapped;
  /** A cloud message → what to publish on the local bus (e.g. a command in long and short form), or a drop reason. */
  toLocal(message: BusMessage, ctx: DeviceContext): Mapped;
  /**
   * Optional (§2.1.6, Hono only): the cloud filter (subscribed at QoS 0) that announces a sub-device whose
   * local app subscribed its commands, e.g. `command//<id>/req/#`. Absent: local command subscriptions
   * are not forwarded.
   */
  deviceCommandSubscription?(deviceId: string): string;
  /**
   * Optional: what to publish at the cloud after each connect to learn the desired state the device
   * missed (AWS: shadow `get` per feature; Azure: twin `GET`). The answers come back through toLocal as
   * `desired`. `twins` is what the gateway knows (the local twin store when local twins are on).
   */
  connectRequests?(ctx: DeviceContext, twins: readonly KnownTwin[]): readonly BusMessage[];
}

/** What the cloud client presents on one connection attempt. */
export interface CloudCredentials {
  readonly username?: string;
  readonly password?: string;
  /** Epoch ms: reconnect with fresh credentials at this time (e.g. Azure SAS tokens, renewed at 90 %). */
  readonly renewAtMs?: number;
}

/**
 * How a mode that does not use Hono's provisioning.json reaches its cloud (AWS: identity from the client
 * certificate; Azure: from the connection string). Pure data plus a credentials function of the clock.
 */
export interface CloudEndpoint {
  /** Announced on `edge/thing/response`; `deviceId` is also the Ditto thing ID. */
  readonly identity: { readonly deviceId: string; readonly tenantId: string; readonly policyId?: string };
  /** `scheme://host:port`. */
  readonly address: string;
  readonly clientId: string;
  /** Called before every connection attempt with the current time (epoch ms); absent: no user name/password. */
  readonly credentials?: (nowMs: number) => CloudCredentials;
}

/** A connector mode: the mapping, and for non-Hono clouds the endpoint (absent: provisioning.json + config). */
export interface ConnectorMode {
  readonly protocol: CloudProtocol;
  readonly endpoint?: CloudEndpoint;
}
