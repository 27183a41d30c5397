// The connector's session on the local broker (issue 17): its client ID and every filter it consumes at
// QoS 1, in every mode (the Hono, AWS and Azure protocols' local subscriptions, which the contract suite
// checks against this list, plus identity requests). The broker creates this session before it accepts
// any client (broker config `durableSessions`, set by the packages and `ledge run`), so an app that
// publishes at boot loses nothing to the connector starting second, on a fresh data directory too.

export const CONNECTOR_CLIENT_ID = 'ledge-connector';

export const CONNECTOR_LOCAL_FILTERS: readonly string[] = Object.freeze(['e/#', 'event/#', 't/#', 'telemetry/#', 'command//+/res/#', 'c//+/s/#', 'edge/thing/request']);

/** The broker's `durableSessions` entry for the connector. */
export function connectorDurableSession(): { clientId: string; subscriptions: { topic: string; qos: 1 }[] } {
  return { clientId: CONNECTOR_CLIENT_ID, subscriptions: CONNECTOR_LOCAL_FILTERS.map((topic) => ({ topic, qos: 1 })) };
}
