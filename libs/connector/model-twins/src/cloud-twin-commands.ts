// Which local twin commands a cloud mapping turns into its own twin documents (AWS shadow updates, Azure
// reported-property patches, issue 20): a create/modify/merge/delete request (no `status`) on the twin
// channel for the gateway or one of its `<deviceId>:` children. Anything else is forwarded as it is.
import { parseDittoTopic, type DittoCommandTopic, type DittoEnvelope } from '@ledge/shared/model-ditto';
import { isOwnThing } from './twin-messages';

const CLOUD_TWIN_ACTIONS: ReadonlySet<string> = new Set(['create', 'modify', 'merge', 'delete']);

/** The command topic when `envelope` is a twin change of the gateway or a child; otherwise undefined. */
export function cloudTwinCommandTopic(envelope: DittoEnvelope, deviceId: string): DittoCommandTopic | undefined {
  if (envelope.status !== undefined) return undefined;
  const parsed = parseDittoTopic(envelope.topic);
  if (!parsed.ok) return undefined;
  const t = parsed.topic;
  if (t.channel !== 'twin' || t.criterion !== 'commands' || !CLOUD_TWIN_ACTIONS.has(t.action)) return undefined;
  return isOwnThing({ deviceId }, `${t.namespace}:${t.name}`) ? t : undefined;
}
