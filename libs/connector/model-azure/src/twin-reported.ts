// Local Ditto twin commands → IoT Hub reported properties. A `create|modify|merge|delete` twin command
// (no `status`) for the gateway or one of its `<deviceId>:` children becomes one
// `$iothub/twin/PATCH/properties/reported/?$rid=<rid>` with `{ "<section>": <feature properties> | null }`
// (sections: twin-sections.ts). IoT Hub applies reported patches as JSON merge patches, which is Ditto's
// `merge`; a `modify`/`create` replaces, so keys the last known reported state has and the new value lacks
// are sent as null. A deleted feature, or properties set to null, is `{ "<section>": null }`.
// Thing attributes and definitions have no section: they reach the cloud in the D2C message only.
import type { DittoCommandTopic, DittoEnvelope } from '@ledge/shared/model-ditto';
import { topicNameProblem } from '@ledge/shared/model-hono';
import { isPlainObject } from '@ledge/shared/util-parse';
import type { BusMessage, QoS } from '@ledge/connector/model-connector';
import { getOwn, nestAt, objectFrom, setOwn, valueAt, withRemovedAsNull, type JsonObject } from '@ledge/shared/model-ditto';
import { SAFE_REQUEST_ID, twinReportedPatchTopic } from './azure-topics';
import { sanitiseTwinPatch } from './twin-properties';
import { featureSectionName } from './twin-sections';
import type { TwinState } from './twin-state';

const FEATURES = 'features';
const PROPERTIES = 'properties';
const MAX_PATH_SEGMENTS = 32;

export interface ReportedContext {
  readonly deviceId: string;
  readonly state: TwinState;
  readonly newRequestId: () => string;
  readonly qos: QoS;
  /** IoT Hub keeps at most 32 KB of reported properties per twin; a larger patch cannot succeed. */
  readonly maxPatchBytes: number;
}

export interface ReportedPatch {
  /** The patch to publish, if anything is left to report. */
  readonly message?: BusMessage;
  /** What was left out, and why. */
  readonly problems: readonly string[];
}

export function toReportedPatch(envelope: DittoEnvelope, topic: DittoCommandTopic, ctx: ReportedContext): ReportedPatch {
  const thingId = `${topic.namespace}:${topic.name}`;
  const segments = envelope.path.split('/').filter((s) => s !== '');
  if (segments.length > MAX_PATH_SEGMENTS) return { problems: [`path has more than ${MAX_PATH_SEGMENTS} levels`] };
  let value: unknown = topic.action === 'delete' || envelope.value === undefined ? null : envelope.value;
  if (topic.action === 'modify' || topic.action === 'create') value = withRemovedAsNull(valueAt(knownView(thingId, ctx.state), segments), value);

  const problems: string[] = [];
  const sections = sectionValues(thingId, nestAt(segments, value), ctx, problems);
  if (sections.size === 0) return { problems };
  const raw: JsonObject = {};
  for (const [name, v] of sections) setOwn(raw, name, v.value);
  const { patch, problems: left } = sanitiseTwinPatch(raw);
  problems.push(...left);
  if (Object.keys(patch).length === 0) return { problems };

  const body = Buffer.from(JSON.stringify(patch));
  if (body.length > ctx.maxPatchBytes) return { problems: [...problems, `reported patch of ${body.length} bytes exceeds IoT Hub's ${ctx.maxPatchBytes}-byte reported-properties limit`] };
  const rid = ctx.newRequestId();
  const target = twinReportedPatchTopic(rid);
  const problem = SAFE_REQUEST_ID.test(rid) ? topicNameProblem(target) : `request ID "${rid.slice(0, 100)}" is not a safe $rid`;
  if (problem !== undefined) return { problems: [...problems, problem] };

  const names = Object.keys(patch);
  for (const name of names) ctx.state.applyReported(name, { thingId, featureId: sections.get(name)!.featureId }, patch[name]);
  ctx.state.addPending(rid, { kind: 'patch', sections: names });
  return { message: { topic: target, payload: body, qos: ctx.qos }, problems };
}

type SectionValue = { readonly featureId: string; readonly value: JsonObject | null };

/** The sections a re-nested command value touches (`tree` is the thing's view: `{features:{F:{properties}}}`). */
function sectionValues(thingId: string, tree: unknown, ctx: ReportedContext, problems: string[]): Map<string, SectionValue> {
  const out = new Map<string, SectionValue>();
  const set = (featureId: string, value: JsonObject | null) => {
    const name = featureSectionName(ctx.deviceId, thingId, featureId);
    if (name !== undefined) out.set(name, { featureId, value });
  };
  if (tree !== null && !isPlainObject(tree)) return out;
  // The whole thing or all its features deleted: every section known for it goes.
  const features = tree === null ? null : getOwn(tree, FEATURES);
  if (features === null) {
    for (const name of ctx.state.sectionsOf(thingId)) set(ctx.state.reported(name)!.featureId, null);
    return out;
  }
  if (!isPlainObject(features)) return out;
  for (const featureId of Object.keys(features)) {
    const feature = features[featureId];
    if (feature === null) set(featureId, null);
    else if (isPlainObject(feature) && Object.hasOwn(feature, PROPERTIES)) {
      const properties = feature[PROPERTIES];
      if (properties === null || isPlainObject(properties)) set(featureId, properties);
      else problems.push(`properties of feature "${featureId.slice(0, 200)}" are not an object`);
    }
  }
  return out;
}

/** The thing as far as the known reported sections tell: `{features:{F:{properties:{…}}}}`. */
function knownView(thingId: string, state: TwinState): JsonObject {
  const features: JsonObject = {};
  for (const name of state.sectionsOf(thingId)) {
    const known = state.reported(name)!;
    setOwn(features, known.featureId, objectFrom([[PROPERTIES, known.value]]));
  }
  return objectFrom([[FEATURES, features]]);
}
