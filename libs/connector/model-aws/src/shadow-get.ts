// What the connector asks AWS after each connect (issue 20): a `get` of every shadow it may hold desired
// state for, so that a change made while the device was offline (AWS only sends `update/delta` to a
// connected device) reaches the local twin. The answers come back as get/accepted (shadow-responses.ts).
import type { BusMessage, KnownTwin, QoS } from '@ledge/connector/model-connector';
import { twinSectionName, type TwinSection, type TwinSectionRegistry } from '@ledge/connector/model-twins';
import { SHADOW_GET, shadowTopic } from './aws-topics';
import { isValidShadowName } from './shadow-sections';

export interface ShadowGetContext {
  readonly deviceId: string;
  /** Sections the mapping named itself since start (the features local apps reported). */
  readonly sections: TwinSectionRegistry;
  /** Bound on the requests of one connect, the classic shadow included. */
  readonly max: number;
  readonly qos: QoS;
}

/**
 * One `get` (empty payload) per shadow, in this order until `max`: the classic shadow; for each known
 * twin of the gateway or of a `<deviceId>:` child its attributes shadow (children only) and one shadow
 * per feature; then the sections learned from local updates. Twins of other things are ignored; a
 * feature whose shadow name AWS would refuse (not `[a-zA-Z0-9:_-]`, or over 64 characters: AWS IoT
 * "Device Shadow service") is skipped, as the update of such a feature would be rejected too.
 */
export function shadowGetRequests(twins: readonly KnownTwin[], ctx: ShadowGetContext): BusMessage[] {
  const names = new Set<string>();
  const add = (section: TwinSection) => {
    const named = twinSectionName(ctx.deviceId, section.thingId, section.featureId);
    const name = named.ok ? named.name : undefined;
    if (name === undefined || names.has(name) || !isValidShadowName(name)) return undefined;
    names.add(name);
    return name;
  };
  const learned = ctx.sections.entries();
  for (const twin of twins) {
    const sections: TwinSection[] = twin.featureIds.map((featureId) => ({ thingId: twin.thingId, featureId }));
    if (twin.thingId !== ctx.deviceId) sections.unshift({ thingId: twin.thingId });
    for (const section of sections) {
      const name = add(section);
      // So that the answer is read back as this section, also where the default reading differs.
      if (name !== undefined) ctx.sections.remember(name, section);
    }
  }
  for (const section of learned) add(section);

  const get = (name?: string): BusMessage => ({ topic: shadowTopic(ctx.deviceId, name, SHADOW_GET), payload: Buffer.alloc(0), qos: ctx.qos });
  const requests = ctx.max > 0 ? [get()] : [];
  for (const name of names) {
    if (requests.length >= ctx.max) break;
    requests.push(get(name));
  }
  return requests;
}
