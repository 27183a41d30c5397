// The names of a twin's sections at clouds that split a thing into named documents (AWS named shadows,
// Azure twin sections), after Kanto's aws-connector (§2.2): the gateway's attributes → the classic
// (unnamed) section; gateway feature F → `F`; child thing `<deviceId>:<child>` attributes → `<child>`;
// child feature F → `<child>:F`. Feature IDs may contain ':', so a name is read back against the known
// child suffixes (`edge:containers` by default), longest first. The one home of this rule: model-aws and
// model-azure name their sections with it, and remember the names they made in section-registry.ts.
import { EDGE_CONTAINERS_SUFFIX } from '@ledge/shared/model-ditto';
import { isOwnThing } from './twin-messages';

/** Child things recognised by default: container management's `<deviceId>:edge:containers`. */
export const DEFAULT_CHILD_SUFFIXES: readonly string[] = Object.freeze([EDGE_CONTAINERS_SUFFIX.slice(1)]);

export type TwinSectionNameResult =
  /** `name` undefined: the classic (unnamed) section, the gateway's attributes. */
  | { readonly ok: true; readonly name: string | undefined }
  | { readonly ok: false; readonly problem: string };

export function twinSectionName(deviceId: string, thingId: string, featureId?: string): TwinSectionNameResult {
  if (featureId === '') return { ok: false, problem: 'empty feature ID' };
  if (thingId === deviceId) return { ok: true, name: featureId };
  if (!isOwnThing({ deviceId }, thingId)) {
    return { ok: false, problem: `thing "${thingId}" is neither the gateway "${deviceId}" nor one of its children` };
  }
  const child = thingId.slice(deviceId.length + 1);
  return { ok: true, name: featureId === undefined ? child : `${child}:${featureId}` };
}

export interface SectionNameOptions {
  /** Child suffixes (`<deviceId>:<suffix>` things) to recognise; default DEFAULT_CHILD_SUFFIXES. */
  readonly childSuffixes?: readonly string[];
}

export interface TwinSection {
  readonly thingId: string;
  /** Absent: the thing's attributes. */
  readonly featureId?: string;
}

/** The thing and feature of a section name (undefined: the classic section); never throws. */
export function parseTwinSectionName(deviceId: string, name: string | undefined, options: SectionNameOptions = {}): TwinSection {
  if (name === undefined || name === '') return { thingId: deviceId };
  const suffixes = [...(options.childSuffixes ?? DEFAULT_CHILD_SUFFIXES)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  for (const child of suffixes) {
    if (name === child) return { thingId: `${deviceId}:${child}` };
    if (name.startsWith(`${child}:`) && name.length > child.length + 1) return { thingId: `${deviceId}:${child}`, featureId: name.slice(child.length + 1) };
  }
  return { thingId: deviceId, featureId: name };
}
