// AWS IoT Core topic layout used by the connector (§2.2; AWS IoT "Device Shadow MQTT topics").
// A thing has one classic shadow `$aws/things/<thing>/shadow/...` and any number of named shadows
// `$aws/things/<thing>/shadow/name/<shadow>/...`.

export const SHADOW_UPDATE = 'update';
export const SHADOW_DELETE = 'delete';
export const SHADOW_GET = 'get';
export type ShadowOperation = typeof SHADOW_UPDATE | typeof SHADOW_DELETE;

/** Cloud command subscriptions (§2.2: `command//+/req/#,cmd//+/q/#`). */
export const AWS_COMMAND_SUBSCRIPTIONS: readonly string[] = Object.freeze(['command//+/req/#', 'cmd//+/q/#']);

/** `$aws/things/<thing>/shadow` or `$aws/things/<thing>/shadow/name/<shadow>`; the key of a shadow. */
export function shadowBase(thingName: string, shadowName?: string): string {
  const base = `$aws/things/${thingName}/shadow`;
  return shadowName === undefined ? base : `${base}/name/${shadowName}`;
}

export function shadowTopic(thingName: string, shadowName: string | undefined, operation: ShadowOperation | typeof SHADOW_GET): string {
  return `${shadowBase(thingName, shadowName)}/${operation}`;
}

/** What the mapping learns the last reported state from (§2.2): update/accepted and delete/accepted. */
export function shadowStateSubscriptions(thingName: string): string[] {
  const base = shadowBase(thingName);
  return [
    `${base}/update/accepted`,
    `${base}/delete/accepted`,
    `${base}/name/+/update/accepted`,
    `${base}/name/+/delete/accepted`,
    // An update AWS refuses (version conflict, too large, malformed) is logged with AWS's reason; a
    // publish alone does not say it was applied.
    `${base}/update/rejected`,
    `${base}/name/+/update/rejected`,
  ];
}

/**
 * What the mapping learns the desired state from (issue 20): the answers to its `get` at connect (the
 * classic shadow and the named ones) and the `update/delta` AWS sends when desired and reported differ.
 */
export function shadowDesiredSubscriptions(thingName: string): string[] {
  const base = shadowBase(thingName);
  return [
    `${base}/get/accepted`,
    `${base}/get/rejected`,
    `${base}/name/+/get/accepted`,
    `${base}/name/+/get/rejected`,
    `${base}/update/delta`,
    `${base}/name/+/update/delta`,
  ];
}

export interface ShadowResponseTopic {
  /** The shadow's key, as returned by shadowBase. */
  readonly shadow: string;
  readonly operation: ShadowOperation;
}

/** A response of the Device Shadow service to the connector (AWS IoT "Device Shadow MQTT topics"). */
export interface ShadowResponse {
  /** The shadow's key, as returned by shadowBase. */
  readonly shadow: string;
  /** The shadow name; `null` for the classic shadow. */
  readonly name: string | null;
  readonly operation: ShadowOperation | typeof SHADOW_GET;
  readonly result: 'accepted' | 'rejected' | 'delta';
}

const RESULTS: ReadonlySet<string> = new Set(['accepted', 'rejected']);

/**
 * Parses `$aws/things/<thing>/shadow[/name/<shadow>]/(update|delete|get)/(accepted|rejected)` and
 * `…/update/delta` for `thingName`; anything else (other things, other levels) is undefined.
 */
export function parseShadowResponse(topic: string, thingName: string): ShadowResponse | undefined {
  const base = shadowBase(thingName);
  if (!topic.startsWith(`${base}/`)) return undefined;
  const levels = topic.slice(base.length + 1).split('/');
  let name: string | null = null;
  if (levels[0] === 'name') {
    const n = levels[1];
    if (n === undefined || n === '' || levels.length !== 4) return undefined;
    name = n;
    levels.splice(0, 2);
  }
  const [operation, result, ...rest] = levels;
  if (rest.length > 0 || operation === undefined || result === undefined) return undefined;
  const shadow = shadowBase(thingName, name ?? undefined);
  if (operation === SHADOW_UPDATE && result === 'delta') return { shadow, name, operation, result };
  if (!RESULTS.has(result)) return undefined;
  if (operation !== SHADOW_UPDATE && operation !== SHADOW_DELETE && operation !== SHADOW_GET) return undefined;
  return { shadow, name, operation, result: result as 'accepted' | 'rejected' };
}

/** Parses `$aws/things/<thing>/shadow[/name/<shadow>]/(update|delete)/accepted` for `thingName`. */
export function parseShadowAccepted(topic: string, thingName: string): ShadowResponseTopic | undefined {
  const r = parseShadowResponse(topic, thingName);
  if (r === undefined || r.result !== 'accepted' || r.operation === SHADOW_GET) return undefined;
  return { shadow: r.shadow, operation: r.operation };
}
