// Ledge's built-in ACL (issue 23, docs/security.md): what comes from the cloud, or speaks for the cloud
// link, is published on the local bus by the connector's account alone. Software update and container
// management run as root and act on cloud commands, so a command a local user or a container could
// inject would be code run as root. Everything else stays open, so Kanto's third-party apps keep working
// without credentials: events and telemetry, command subscriptions and responses, their own topics.
import { appOfHealthTopic } from '@ledge/model-edge';
import { matchTopic } from './topic-rules';
import type { ClientAcl, ClientIdentity } from './acl';

/** The connector's account (packages and `ledge run` create it). */
export const CONNECTOR_USER = 'ledge-connector';

/** Topics only the connector may publish (§1.1: cloud commands in both forms, identity, link status). */
export const CONNECTOR_ONLY_TOPICS: readonly string[] = Object.freeze(['command/+/+/req/#', 'c/+/+/q/#', 'edge/thing/response', 'edge/connection/remote/status']);

export type LedgeAclMode = 'auto' | 'on' | 'off';

/** auto: on exactly when the broker knows the connector's account (a provisioned stack), else open as Kanto's Mosquitto. */
export function ledgeAclActive(mode: LedgeAclMode, usernames: readonly string[]): boolean {
  return mode === 'on' || (mode === 'auto' && usernames.includes(CONNECTOR_USER));
}

/**
 * The apps whose `edge/health/<app>` only their own account (`ledge-<app>`) may publish: every Ledge
 * account the broker knows, and the broker itself (its health is published by the broker alone). A
 * forged `up` would hide a dead app from the operator, a forged `down` raise a false alarm. Health of
 * other names (Kanto's third-party apps) stays open.
 */
export function healthOwners(usernames: readonly string[]): ReadonlySet<string> {
  const apps = usernames.filter((u) => u.startsWith('ledge-')).map((u) => u.slice('ledge-'.length));
  return new Set(['broker', ...apps]);
}

/** The built-in rules for one client: only publishing reserved topics is restricted. */
export function ledgeAcl(who: ClientIdentity, owners: ReadonlySet<string> = healthOwners([])): ClientAcl {
  const connector = who.username === CONNECTOR_USER;
  const ownHealth = (topic: string) => {
    const app = appOfHealthTopic(topic);
    return app === undefined || !owners.has(app) || who.username === `ledge-${app}`;
  };
  return {
    canPublish: (topic) => (connector || !CONNECTOR_ONLY_TOPICS.some((f) => matchTopic(f, topic))) && ownHealth(topic),
    canSubscribe: () => true,
    canReceive: () => true,
  };
}

/** Both ACLs must allow (the user's rules and the built-in ones); undefined = no restriction. */
export function bothAcls(a: ClientAcl | undefined, b: ClientAcl | undefined): ClientAcl | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return {
    canPublish: (t) => a.canPublish(t) && b.canPublish(t),
    canSubscribe: (f) => a.canSubscribe(f) && b.canSubscribe(f),
    canReceive: (t) => a.canReceive(t) && b.canReceive(t),
  };
}
