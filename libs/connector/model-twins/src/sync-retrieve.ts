// The first step of the sync after a connect (Kanto's synchronizer): ask the cloud for the desired
// properties of a thing's features, then read its answer as one `replace` per stored feature, so that a
// push never overwrites desired properties the cloud changed while the device was offline.
import type { DesiredUpdate } from '@ledge/connector/model-connector';
import { DittoHeaderNames, isDittoErrorValue, parseDittoTopic, type DittoEnvelope, isJsonObject } from '@ledge/shared/model-ditto';
import { commandTopic, uplinkTopic } from './twin-messages';
import { isValidFeatureId } from '@ledge/shared/model-ditto';
import type { TwinContext, TwinMessage, TwinRead } from './twin-types';

/**
 * Kanto's retrieve of `/` with `fields` = `features(F1/desiredProperties,F2/desiredProperties,…)`,
 * `reply-to: command/<tenantId>`, at the uplink topic; undefined when the thing has no features (or is
 * not stored, or is a tombstone).
 */
export function retrieveDesiredCommand(read: TwinRead, thingId: string, correlationId: string, ctx: TwinContext): TwinMessage | undefined {
  const thing = read.thing(thingId);
  if (thing === undefined || thing.removed !== undefined) return undefined;
  const ids = read.featureIds(thingId).filter(isSelectable);
  if (ids.length === 0) return undefined;
  const fields = `features(${ids.map((id) => `${id}/desiredProperties`).join(',')})`;
  return {
    topic: uplinkTopic(ctx, thingId),
    envelope: {
      topic: commandTopic(thingId, 'retrieve'),
      headers: {
        [DittoHeaderNames.correlationId]: correlationId,
        [DittoHeaderNames.replyTo]: `command/${ctx.tenantId}`,
        [DittoHeaderNames.responseRequired]: true,
      },
      path: '/',
      fields,
    },
  };
}

/** A feature ID the field selector can name (its syntax has no escapes for `(`, `)` and `,`). */
function isSelectable(featureId: string): boolean {
  return isValidFeatureId(featureId) && !/[(),]/.test(featureId);
}

export type RetrieveDesiredAnswer =
  | { readonly ok: true; readonly desired: readonly DesiredUpdate[] }
  | { readonly ok: false; readonly problem: string };

/**
 * The cloud's answer to retrieveDesiredCommand. With `read`, one `replace` per feature the store has
 * (a feature absent from the answer has no desired properties: `null`); without, one per feature in the
 * answer. Errors, another thing, topic or path, and statuses ≥ 400 are problems.
 */
export function parseRetrieveDesiredResponse(envelope: DittoEnvelope, expectedThingId: string, read?: TwinRead): RetrieveDesiredAnswer {
  const parsed = parseDittoTopic(envelope.topic);
  if (!parsed.ok) return { ok: false, problem: `unexpected topic "${envelope.topic}": ${parsed.problems.join('; ')}` };
  const topic = parsed.topic;
  if (topic.criterion === 'errors') {
    const v = envelope.value;
    return { ok: false, problem: isDittoErrorValue(v) ? `the cloud answered ${v.status} ${v.error}: ${v.message}` : `the cloud answered an error (status ${envelope.status ?? '?'})` };
  }
  const thingId = `${topic.namespace}:${topic.name}`;
  if (thingId !== expectedThingId) return { ok: false, problem: `the answer is for thing "${thingId}", not "${expectedThingId}"` };
  if (topic.channel !== 'twin' || topic.criterion !== 'commands' || topic.action !== 'retrieve') {
    return { ok: false, problem: `unexpected topic "${envelope.topic}" (expected a twin retrieve response)` };
  }
  if (envelope.path !== '/') return { ok: false, problem: `unexpected path "${envelope.path}" (expected "/")` };
  if (envelope.status === undefined) return { ok: false, problem: 'the answer has no status (not a response)' };
  if (envelope.status >= 400) return { ok: false, problem: `the cloud answered status ${envelope.status}` };
  const value = envelope.value ?? {};
  if (!isJsonObject(value)) return { ok: false, problem: 'the answer is not a JSON object' };
  const features = Object.hasOwn(value, 'features') ? value['features'] : undefined;
  if (features !== undefined && features !== null && !isJsonObject(features)) return { ok: false, problem: '"features" of the answer is not a JSON object' };

  const desiredOf = (featureId: string): DesiredUpdate['value'] => {
    const feature = isJsonObject(features) && Object.hasOwn(features, featureId) ? features[featureId] : undefined;
    const desired = isJsonObject(feature) && Object.hasOwn(feature, 'desiredProperties') ? feature['desiredProperties'] : undefined;
    return isJsonObject(desired) ? desired : null;
  };
  const ids = read === undefined ? Object.keys(isJsonObject(features) ? features : {}) : storedFeatureIds(read, expectedThingId);
  const desired = ids.filter(isSelectable).map((featureId): DesiredUpdate => ({ thingId, featureId, mode: 'replace', value: desiredOf(featureId) }));
  return { ok: true, desired };
}

function storedFeatureIds(read: TwinRead, thingId: string): readonly string[] {
  const thing = read.thing(thingId);
  return thing === undefined || thing.removed !== undefined ? [] : read.featureIds(thingId);
}
