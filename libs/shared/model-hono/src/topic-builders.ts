// Builders for Hono topics; they always emit long forms (§1.1, §11). Inputs are validated IDs: levels
// must not contain '/', '+' or '#' (except `extra`, which is appended unchanged).

export interface HonoTelemetryAddress {
  /** Empty/absent → an empty level (the connector fills in its tenant). */
  readonly tenantId?: string;
  /** Empty/absent → the gateway itself. */
  readonly deviceId?: string;
  readonly extra?: string;
}

export interface HonoCommandRequestAddress {
  readonly tenantId?: string;
  /** Empty/absent → the gateway itself (`command///req/...`). */
  readonly deviceId?: string;
  /** Empty for one-way commands. */
  readonly requestId: string;
  readonly command: string;
}

export interface HonoCommandResponseAddress {
  /** Empty/absent → the gateway itself (`command///res/...`). */
  readonly deviceId?: string;
  readonly requestId: string;
  /** HTTP-like status 100..599. */
  readonly status: number;
}

/** `event[/<tenant>[/<device>[/<extra>]]]`, shortest form that keeps the given levels (`event` alone = gateway). */
export function buildEventTopic(address: HonoTelemetryAddress = {}): string {
  return telemetryLike('event', address);
}

/** `telemetry[/<tenant>[/<device>[/<extra>]]]`. */
export function buildTelemetryTopic(address: HonoTelemetryAddress = {}): string {
  return telemetryLike('telemetry', address);
}

function telemetryLike(endpoint: string, { tenantId = '', deviceId = '', extra }: HonoTelemetryAddress): string {
  if (extra !== undefined) return `${endpoint}/${tenantId}/${deviceId}/${extra}`;
  if (deviceId !== '') return `${endpoint}/${tenantId}/${deviceId}`;
  if (tenantId !== '') return `${endpoint}/${tenantId}`;
  return endpoint;
}

/** The two local forms a cloud command is forwarded on (§1.1, §2.1.5): long and short. */
export function buildCommandRequestTopics(address: HonoCommandRequestAddress): { long: string; short: string } {
  const { tenantId = '', deviceId = '', requestId, command } = address;
  return {
    long: `command/${tenantId}/${deviceId}/req/${requestId}/${command}`,
    short: `c/${tenantId}/${deviceId}/q/${requestId}/${command}`,
  };
}

/** `command//<deviceId>/res/<reqId>/<status>`, tenant level empty (§1.3). */
export function buildCommandResponseTopic(address: HonoCommandResponseAddress): string {
  return `command//${address.deviceId ?? ''}/res/${address.requestId}/${address.status}`;
}

/** The filter an app subscribes for its commands: `command//<deviceId>/req/#` (`command///req/#` for the gateway). */
export function buildCommandSubscription(deviceId = ''): string {
  return `command//${deviceId}/req/#`;
}

/**
 * §2.1.6: a local subscription `command//<id>/req/#` or `c//<id>/q/#` (forms may mix) normalised to
 * `command//<id>/req/#`; anything else, including filters with a `+` level, → undefined.
 */
export function normaliseCommandSubscription(filter: string): string | undefined {
  const m = /^(?:c|command)\/\/([^/]*)\/(?:q|req)\/#$/.exec(filter);
  if (m === null || m[1]!.includes('+') || m[1]!.includes('#')) return undefined;
  return buildCommandSubscription(m[1]);
}
