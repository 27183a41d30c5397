// Topic ACLs (config `acl`, optionally `aclFile`): Mosquitto-like rules, evaluated per client.
//
// Semantics (README "ACL rules"):
// - No rules at all: every client may publish and subscribe to everything (except publishing to $SYS).
// - With rules: a request is allowed when at least one applicable `allow` rule matches and no applicable
//   `deny` rule matches (deny wins; rule order does not matter). Nothing matches → denied.
// - A rule applies to a client when its selectors match: `user` (the authenticated user name),
//   `clientId`, `anonymous: true` (clients without a user name); a rule without selectors applies to all.
// - `%c` and `%u` in a rule's topic are replaced by the client id and user name. A rule whose topic needs
//   a value that is missing or contains '+', '#' or '/' does not apply (no wildcard injection).
// - publish: the topic name must match the rule's filter. subscribe: the requested filter must be
//   covered by the rule's filter (every topic it can match is matched by the rule); each message is
//   checked again before delivery, so a deny rule inside a wider allowed subscription still holds.
import { filterCovers, matchValidTopic, topicFilterProblem } from '@ledge/shared/model-mqtt';

export type AclPermission = 'allow' | 'deny';
export type AclAction = 'publish' | 'subscribe' | 'both';

export interface AclRule {
  user?: string;
  clientId?: string;
  anonymous?: boolean;
  permission: AclPermission;
  action: AclAction;
  topic: string;
}

export interface ClientIdentity {
  clientId: string;
  username?: string | undefined;
}

/** What one client may do; `undefined` from compileAcl means "no ACL: everything allowed". */
export interface ClientAcl {
  canPublish(topic: string): boolean;
  canSubscribe(filter: string): boolean;
  canReceive(topic: string): boolean;
}

const RULE_KEYS = new Set(['user', 'clientId', 'anonymous', 'permission', 'action', 'topic']);

/** Checks the `acl` config value; returns the rules or a message naming the bad entry. */
export function parseAclRules(value: unknown): AclRule[] | string {
  if (!Array.isArray(value)) return 'must be a list of rules';
  const rules: AclRule[] = [];
  for (let i = 0; i < value.length; i++) {
    const r = value[i] as Record<string, unknown> | null;
    const at = `rule ${i}`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return `${at}: must be an object`;
    const unknown = Object.keys(r).filter((k) => !RULE_KEYS.has(k));
    if (unknown.length > 0) return `${at}: unknown key(s) ${unknown.join(', ')}`;
    if (r['permission'] !== 'allow' && r['permission'] !== 'deny') return `${at}: permission must be "allow" or "deny"`;
    if (r['action'] !== 'publish' && r['action'] !== 'subscribe' && r['action'] !== 'both') return `${at}: action must be "publish", "subscribe" or "both"`;
    if (typeof r['topic'] !== 'string') return `${at}: topic must be a string`;
    const problem = topicFilterProblem(r['topic'].replaceAll('%c', 'c').replaceAll('%u', 'u'));
    if (problem) return `${at}: topic ${JSON.stringify(r['topic'])}: ${problem}`;
    for (const k of ['user', 'clientId'] as const) {
      if (r[k] !== undefined && (typeof r[k] !== 'string' || r[k] === '')) return `${at}: ${k} must be a non-empty string`;
    }
    if (r['anonymous'] !== undefined && r['anonymous'] !== true) return `${at}: anonymous may only be true`;
    if (r['anonymous'] === true && r['user'] !== undefined) return `${at}: anonymous and user exclude each other`;
    rules.push(r as unknown as AclRule);
  }
  return rules;
}

interface Compiled {
  allow: boolean;
  filter: string;
}

function substitute(topic: string, who: ClientIdentity): string | undefined {
  const unsafe = (v: string) => v.includes('+') || v.includes('#') || v.includes('/');
  let out = topic;
  if (out.includes('%c')) {
    if (unsafe(who.clientId) || who.clientId === '') return undefined;
    out = out.replaceAll('%c', who.clientId);
  }
  if (out.includes('%u')) {
    if (who.username === undefined || who.username === '' || unsafe(who.username)) return undefined;
    out = out.replaceAll('%u', who.username);
  }
  return out;
}

function applies(rule: AclRule, who: ClientIdentity): boolean {
  if (rule.user !== undefined && rule.user !== who.username) return false;
  if (rule.clientId !== undefined && rule.clientId !== who.clientId) return false;
  if (rule.anonymous === true && who.username !== undefined) return false;
  return true;
}

function decide(rules: readonly Compiled[], test: (filter: string) => boolean): boolean {
  let allowed = false;
  for (const r of rules) {
    if (!test(r.filter)) continue;
    if (!r.allow) return false; // deny wins
    allowed = true;
  }
  return allowed;
}

/** The ACL of one client, or undefined when no rules are configured (everything allowed). */
export function compileAcl(rules: readonly AclRule[], who: ClientIdentity): ClientAcl | undefined {
  if (rules.length === 0) return undefined;
  const pub: Compiled[] = [];
  const sub: Compiled[] = [];
  for (const rule of rules) {
    if (!applies(rule, who)) continue;
    const filter = substitute(rule.topic, who);
    if (filter === undefined) continue;
    const c = { allow: rule.permission === 'allow', filter };
    if (rule.action !== 'subscribe') pub.push(c);
    if (rule.action !== 'publish') sub.push(c);
  }
  return {
    canPublish: (topic) => decide(pub, (f) => matchValidTopic(f, topic)),
    canSubscribe: (filter) => decide(sub, (f) => filterCovers(f, filter)),
    canReceive: (topic) => decide(sub, (f) => matchValidTopic(f, topic)),
  };
}
