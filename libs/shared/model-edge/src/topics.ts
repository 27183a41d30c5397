// Kanto's local API topics (§1.1) and how each is published.

export const EdgeTopics = Object.freeze({
  /** Any payload; triggers one reply on `edge/thing/response`. */
  thingRequest: 'edge/thing/request',
  /** Identity payload; QoS 0, not retained; repeated after every cloud (re)connect. */
  thingResponse: 'edge/thing/response',
  /** Connection status; retained, QoS 1; the connector's Last Will lives here too. */
  connectionStatus: 'edge/connection/remote/status',
} as const);

export interface EdgePublishOptions {
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

export const EdgeTopicPublishOptions = Object.freeze({
  thingRequest: Object.freeze({ qos: 0, retain: false }),
  thingResponse: Object.freeze({ qos: 0, retain: false }),
  connectionStatus: Object.freeze({ qos: 1, retain: true }),
} as const satisfies Record<keyof typeof EdgeTopics, EdgePublishOptions>);
