// Ditto protocol topics `<ns>/<name>/things/<twin|live>/<criterion>[/<action-or-subject>]` (§3.1).
import { parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { isValidEntityName, isValidNamespace, type ThingId } from './thing-id';

export const DittoChannels = Object.freeze({ twin: 'twin', live: 'live' } as const);
export type DittoChannel = (typeof DittoChannels)[keyof typeof DittoChannels];

export const DittoCommandActions = Object.freeze({
  create: 'create',
  modify: 'modify',
  merge: 'merge',
  retrieve: 'retrieve',
  delete: 'delete',
} as const);
export type DittoCommandAction = (typeof DittoCommandActions)[keyof typeof DittoCommandActions];

export const DittoEventActions = Object.freeze({
  created: 'created',
  modified: 'modified',
  merged: 'merged',
  deleted: 'deleted',
} as const);
export type DittoEventAction = (typeof DittoEventActions)[keyof typeof DittoEventActions];

export const DITTO_GROUP_THINGS = 'things';
/** Ditto's placeholder for "no namespace/name", e.g. `_/_/things/twin/commands/retrieve` (§2.4). */
export const DITTO_PLACEHOLDER = '_';

interface TopicBase {
  readonly namespace: string;
  readonly name: string;
  readonly group: typeof DITTO_GROUP_THINGS;
  readonly channel: DittoChannel;
}
export interface DittoCommandTopic extends TopicBase {
  readonly criterion: 'commands';
  readonly action: DittoCommandAction;
}
export interface DittoEventTopic extends TopicBase {
  readonly criterion: 'events';
  readonly action: DittoEventAction;
}
/** Messages are always on the live channel; the subject may contain '/'. */
export interface DittoMessageTopic extends TopicBase {
  readonly channel: 'live';
  readonly criterion: 'messages';
  readonly subject: string;
}
export interface DittoErrorTopic extends TopicBase {
  readonly criterion: 'errors';
}
export type DittoTopic = DittoCommandTopic | DittoEventTopic | DittoMessageTopic | DittoErrorTopic;
export type DittoCriterion = DittoTopic['criterion'];

export type DittoTopicParseResult = { readonly ok: true; readonly topic: DittoTopic } | ParseFailure;

const COMMAND_ACTIONS: ReadonlySet<string> = new Set(Object.values(DittoCommandActions));
const EVENT_ACTIONS: ReadonlySet<string> = new Set(Object.values(DittoEventActions));

export function parseDittoTopic(topic: unknown): DittoTopicParseResult {
  if (typeof topic !== 'string' || topic === '') return parseFailure('topic must be a non-empty string');
  const [namespace = '', name = '', group, channel, criterion, ...rest] = topic.split('/');
  const problems: string[] = [];
  if (namespace !== DITTO_PLACEHOLDER && !isValidNamespace(namespace)) problems.push(`invalid namespace "${namespace}"`);
  if (name !== DITTO_PLACEHOLDER && !isValidEntityName(name)) problems.push(`invalid entity name "${name}"`);
  if (group !== DITTO_GROUP_THINGS) problems.push(`unsupported group "${group ?? ''}" (expected "things")`);
  if (channel !== 'twin' && channel !== 'live') problems.push(`invalid channel "${channel ?? ''}" (expected twin|live)`);
  if (problems.length > 0) return parseFailure(...problems);
  const base = { namespace, name, group: DITTO_GROUP_THINGS, channel: channel as DittoChannel } as const;
  const action = rest.join('/');

  switch (criterion) {
    case 'commands':
      if (rest.length !== 1 || !COMMAND_ACTIONS.has(action)) return parseFailure(`invalid command action "${action}"`);
      return { ok: true, topic: { ...base, criterion, action: action as DittoCommandAction } };
    case 'events':
      if (rest.length !== 1 || !EVENT_ACTIONS.has(action)) return parseFailure(`invalid event action "${action}"`);
      return { ok: true, topic: { ...base, criterion, action: action as DittoEventAction } };
    case 'messages':
      if (base.channel !== 'live') return parseFailure('messages are only valid on the live channel');
      if (action === '' || rest.includes('')) return parseFailure('message subject must be non-empty');
      return { ok: true, topic: { ...base, channel: 'live', criterion, subject: action } };
    case 'errors':
      if (rest.length !== 0) return parseFailure('an errors topic has no further levels');
      return { ok: true, topic: { ...base, criterion } };
    default:
      return parseFailure(`invalid criterion "${criterion ?? ''}" (expected commands|messages|events|errors)`);
  }
}

export function buildDittoTopic(topic: DittoTopic): string {
  const head = `${topic.namespace}/${topic.name}/${DITTO_GROUP_THINGS}/${topic.channel}/${topic.criterion}`;
  switch (topic.criterion) {
    case 'commands':
    case 'events':
      return `${head}/${topic.action}`;
    case 'messages':
      return `${head}/${topic.subject}`;
    case 'errors':
      return head;
  }
}

/** The thing a topic addresses. */
export function topicThingId(topic: Pick<DittoTopic, 'namespace' | 'name'>): ThingId {
  return { namespace: topic.namespace, name: topic.name };
}

/** True when the topic addresses `thingId`. */
export function isTopicForThing(topic: Pick<DittoTopic, 'namespace' | 'name'>, thingId: ThingId): boolean {
  return topic.namespace === thingId.namespace && topic.name === thingId.name;
}
