// MQTT topics of Eclipse Kanto's update contract (update-manager docs/update-agent-api.md,
// docs/update-manager-api.md, docs/owner-consent-agent-api.md). The manager and every update agent use the
// same shape: `<mqtt domain>/desiredstate`, `/desiredstate/command`, `/desiredstatefeedback`,
// `/currentstate`, `/currentstate/get`, where the MQTT domain is the domain id without dashes, with
// `update` appended unless it already ends so (`containers` → `containersupdate`, `self-update` →
// `selfupdate`). The manager's own local API is the same set for its own domain (`device` → `deviceupdate`).

/** Domain ids: a topic level of their own, kept short and plain. */
const DOMAIN_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export function isDomainId(value: string): boolean {
  return DOMAIN_ID.test(value);
}

/** `containers` → `containersupdate`, `self-update` → `selfupdate` (Kanto's mqtt-domain-identifier). */
export function mqttDomain(domain: string): string {
  const plain = domain.replaceAll('-', '');
  return plain.endsWith('update') ? plain : `${plain}update`;
}

export interface UpdateTopics {
  /** Desired state in (manager → agent; cloud/local API → manager). */
  readonly desiredState: string;
  /** DOWNLOAD/UPDATE/ACTIVATE/ROLLBACK/CLEANUP in. */
  readonly command: string;
  /** Progress out, QoS 1. */
  readonly feedback: string;
  /** Current state out, QoS 1, retained. */
  readonly currentState: string;
  /** A request for the current state, no payload needed. */
  readonly currentStateGet: string;
  /** Owner consent asked (out) and answered (in). */
  readonly ownerConsent: string;
  readonly ownerConsentFeedback: string;
}

export function updateTopics(domain: string): UpdateTopics {
  const d = mqttDomain(domain);
  return Object.freeze({
    desiredState: `${d}/desiredstate`,
    command: `${d}/desiredstate/command`,
    feedback: `${d}/desiredstatefeedback`,
    currentState: `${d}/currentstate`,
    currentStateGet: `${d}/currentstate/get`,
    ownerConsent: `${d}/ownerconsent`,
    ownerConsentFeedback: `${d}/ownerconsentfeedback`,
  });
}
