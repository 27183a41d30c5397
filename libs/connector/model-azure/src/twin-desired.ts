// IoT Hub → local desired properties. The twin GET response (`$iothub/twin/res/200/?$rid=…`, body
// `{"desired":{…,"$version":n},"reported":{…,"$version":m}}`) gives the whole desired state: one `replace`
// per section. A desired-properties patch (`$iothub/twin/PATCH/properties/desired/?$version=n`, body
// `{<section>: value|null, "$version": n}`) is a JSON merge patch: one `merge` per section (a section set
// to null: `replace` with null, the feature has no desired properties any more). Keys starting
// with '$' ($version, $metadata) are the hub's, not sections. A feature the gateway knows whose section
// is missing from the GET's desired properties has none in the hub (removed while the device was away):
// its local desired properties are cleared the same way.
import { isPlainObject } from '@ledge/shared/util-parse';
import type { DesiredUpdate, KnownTwin, Mapped } from '@ledge/connector/model-connector';
import { getOwn, parseJsonObject, type JsonObject } from '@ledge/shared/model-ditto';
import type { TwinState } from './twin-state';
import { featureSectionName, featureSectionOf, type FeatureSection } from './twin-sections';

export interface DesiredContext {
  readonly deviceId: string;
  readonly state: TwinState;
  /** Told about each section left out of a message that was otherwise used. */
  readonly problem: (reason: string) => void;
}

const VERSION = '$version';

/**
 * A 200 response to our twin GET: desired → `replace` updates, and a clearing `replace` with null for each
 * feature of `knownTwins` (what the gateway knew when it sent the GET) without a section; reported → the known
 * reported state.
 */
export function fromTwinDocument(payload: Buffer, ctx: DesiredContext, knownTwins: readonly KnownTwin[] = []): Mapped {
  const doc = parseJsonObject(payload);
  if (doc === undefined) return { ok: false, drop: 'twin GET response is not a JSON object' };
  const desired = getOwn(doc, 'desired') ?? {};
  const reported = getOwn(doc, 'reported') ?? {};
  if (!isPlainObject(desired) || !isPlainObject(reported)) return { ok: false, drop: 'twin GET response: "desired" and "reported" must be objects' };

  const known = new Map<string, FeatureSection & { value: JsonObject }>();
  for (const name of sectionKeys(reported)) {
    const section = sectionOf(name, ctx);
    const value = reported[name];
    if (section !== undefined && isPlainObject(value)) known.set(name, { ...section, value });
  }
  ctx.state.resetReported(known);

  const version = getOwn(desired, VERSION);
  // The full document is the truth: it resets the version patches are compared with (also when the
  // twin was recreated and counts from 1 again).
  ctx.state.desiredVersion = Number.isSafeInteger(version) ? (version as number) : undefined;
  const result = updates(desired, 'replace', ctx, 'twin GET response');
  const cleared = missingSections(desired, knownTwins, ctx);
  if (cleared.length === 0) return result;
  if (!result.ok) {
    ctx.problem(result.drop);
    return { ok: true, messages: [], desired: cleared };
  }
  return { ...result, desired: [...(result.desired ?? []), ...cleared] };
}

/** A clearing update for each known feature (of the gateway or a child) that has no section in `desired`. */
function missingSections(desired: JsonObject, known: readonly KnownTwin[], ctx: DesiredContext): DesiredUpdate[] {
  const key = (thingId: string, featureId: string) => `${thingId}\u0000${featureId}`;
  const present = new Set<string>();
  for (const name of sectionKeys(desired)) {
    const section = sectionOf(name, ctx);
    if (section !== undefined) present.add(key(section.thingId, section.featureId));
  }
  return known.flatMap(({ thingId, featureIds }) =>
    featureIds
      .filter((featureId) => !present.has(key(thingId, featureId)) && featureSectionName(ctx.deviceId, thingId, featureId) !== undefined)
      .map((featureId): DesiredUpdate => ({ thingId, featureId, mode: 'replace', value: null })),
  );
}

/** A desired-properties patch: `merge` updates, unless its `$version` is not newer than the last applied. */
export function fromDesiredPatch(payload: Buffer, topicVersion: number | undefined, ctx: DesiredContext): Mapped {
  const patch = parseJsonObject(payload);
  if (patch === undefined) return { ok: false, drop: 'desired-properties patch is not a JSON object' };
  const bodyVersion = getOwn(patch, VERSION);
  const version = Number.isSafeInteger(bodyVersion) ? (bodyVersion as number) : topicVersion;
  const last = ctx.state.desiredVersion;
  if (version !== undefined && last !== undefined && version <= last) {
    return { ok: false, drop: `desired-properties patch $version ${version} is not newer than ${last} (already applied)` };
  }
  if (version !== undefined) ctx.state.desiredVersion = version;
  return updates(patch, 'merge', ctx, 'desired-properties patch');
}

function updates(source: JsonObject, mode: DesiredUpdate['mode'], ctx: DesiredContext, what: string): Mapped {
  const desired: DesiredUpdate[] = [];
  const problems: string[] = [];
  for (const name of sectionKeys(source)) {
    const section = sectionOf(name, ctx);
    const value = source[name];
    if (section === undefined) problems.push(`${what}: "${name.slice(0, 200)}" names no feature`);
    else if (value !== null && !isPlainObject(value)) problems.push(`${what}: section "${name.slice(0, 200)}" is not an object`);
    // A removed section clears the feature's desired properties: a `replace` with null says so plainly.
    else desired.push({ thingId: section.thingId, featureId: section.featureId, mode: value === null ? 'replace' : mode, value });
  }
  if (desired.length === 0 && problems.length > 0) return { ok: false, drop: problems.join('; ') };
  for (const p of problems) ctx.problem(p);
  return { ok: true, messages: [], desired };
}

function sectionKeys(o: JsonObject): string[] {
  return Object.keys(o).filter((k) => !k.startsWith('$'));
}

function sectionOf(name: string, ctx: DesiredContext): FeatureSection | undefined {
  return featureSectionOf(ctx.state.named, ctx.deviceId, name);
}
