// Ledge's built-in ACL (issue 23, docs/security.md): what comes from the cloud, or speaks for the cloud
// link, is published on the local bus by the connector's account alone. Software update and container
// management run as root and act on cloud commands, so a command a local user or a container could
// inject would be code run as root. Everything else stays open, so Kanto's third-party apps keep working
// without credentials: events and telemetry, command subscriptions and responses, their own topics.
// Containers' logs are the one thing a local client may not read: they are root's on the gateway. The
// update contract's orders (issue 18) reach the same root actions by another road, so they are reserved too.
import { appOfHealthTopic, CONTAINER_LOGS_ANSWERER, CONTAINER_LOGS_ASKER, ContainerLogsTopics } from '@ledge/shared/model-edge';
import { matchValidTopic } from '@ledge/shared/model-mqtt';
import { UPDATE_MANAGER_USER, UPDATE_ORDER_FILTERS } from '@ledge/shared/model-update';
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

/**
 * Containers' logs between file upload and container management (model-edge container-logs.ts): a
 * container's log is root's on the gateway, so only file upload may ask for it and read the answers, and
 * only container management may answer.
 */
function containerLogsAllowed(who: ClientIdentity, topic: string, as: 'publish' | 'receive'): boolean {
  if (topic === ContainerLogsTopics.request) return as === 'receive' || who.username === CONTAINER_LOGS_ASKER;
  if (!matchValidTopic(ContainerLogsTopics.responses, topic)) return true;
  return who.username === (as === 'publish' ? CONTAINER_LOGS_ANSWERER : CONTAINER_LOGS_ASKER);
}

/**
 * The update contract's orders (`+/desiredstate`, `+/desiredstate/command`, `+/ownerconsentfeedback`,
 * @ledge/shared/model-update orders.ts): only the update manager's account gives them, to its agents, and
 * `ledge um` with that account to the manager's local API. A desired state on an agent's topic makes
 * container management create privileged containers as root; a forged consent lets an activity go on
 * without the owner. Feedback and current state stay open for third-party agents.
 */
function updateOrderAllowed(who: ClientIdentity, topic: string): boolean {
  return who.username === UPDATE_MANAGER_USER || !UPDATE_ORDER_FILTERS.some((f) => matchValidTopic(f, topic));
}

/** The built-in rules for one client: publishing reserved topics, and receiving containers' logs, are restricted. */
export function ledgeAcl(who: ClientIdentity, owners: ReadonlySet<string> = healthOwners([])): ClientAcl {
  const connector = who.username === CONNECTOR_USER;
  const ownHealth = (topic: string) => {
    const app = appOfHealthTopic(topic);
    return app === undefined || !owners.has(app) || who.username === `ledge-${app}`;
  };
  return {
    canPublish: (topic) =>
      (connector || !CONNECTOR_ONLY_TOPICS.some((f) => matchValidTopic(f, topic))) && ownHealth(topic) && containerLogsAllowed(who, topic, 'publish') && updateOrderAllowed(who, topic),
    canSubscribe: () => true,
    canReceive: (topic) => containerLogsAllowed(who, topic, 'receive'),
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
