// AWS IoT Core topic layout used by the connector (§2.2; AWS IoT "Device Shadow MQTT topics").
// A thing has one classic shadow `$aws/things/<thing>/shadow/...` and any number of named shadows
// `$aws/things/<thing>/shadow/name/<shadow>/...`.

export const SHADOW_UPDATE = 'update';
export const SHADOW_DELETE = 'delete';
export type ShadowOperation = typeof SHADOW_UPDATE | typeof SHADOW_DELETE;

/** Cloud command subscriptions (§2.2: `command//+/req/#,cmd//+/q/#`). */
export const AWS_COMMAND_SUBSCRIPTIONS: readonly string[] = Object.freeze(['command//+/req/#', 'cmd//+/q/#']);

/** `$aws/things/<thing>/shadow` or `$aws/things/<thing>/shadow/name/<shadow>`; the key of a shadow. */
export function shadowBase(thingName: string, shadowName?: string): string {
  const base = `$aws/things/${thingName}/shadow`;
  return shadowName === undefined ? base : `${base}/name/${shadowName}`;
}

export function shadowTopic(thingName: string, shadowName: string | undefined, operation: ShadowOperation): string {
  return `${shadowBase(thingName, shadowName)}/${operation}`;
}

/** What the mapping learns the last reported state from (§2.2): update/accepted and delete/accepted. */
export function shadowStateSubscriptions(thingName: string): string[] {
  const base = shadowBase(thingName);
  return [`${base}/update/accepted`, `${base}/delete/accepted`, `${base}/name/+/update/accepted`, `${base}/name/+/delete/accepted`];
}

export interface ShadowResponseTopic {
  /** The shadow's key, as returned by shadowBase. */
  readonly shadow: string;
  readonly operation: ShadowOperation;
}

/** Parses `$aws/things/<thing>/shadow[/name/<shadow>]/(update|delete)/accepted` for `thingName`. */
export function parseShadowAccepted(topic: string, thingName: string): ShadowResponseTopic | undefined {
  const base = shadowBase(thingName);
  if (!topic.startsWith(`${base}/`)) return undefined;
  const levels = topic.slice(base.length + 1).split('/');
  let shadow = base;
  if (levels[0] === 'name') {
    const name = levels[1];
    if (name === undefined || name === '' || levels.length !== 4) return undefined;
    shadow = shadowBase(thingName, name);
    levels.splice(0, 2);
  }
  const [operation, result, ...rest] = levels;
  if (rest.length > 0 || result !== 'accepted') return undefined;
  if (operation !== SHADOW_UPDATE && operation !== SHADOW_DELETE) return undefined;
  return { shadow, operation };
}
