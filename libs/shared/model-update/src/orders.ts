// Who may give the update contract's orders on the local bus (issues 18 and 23, docs/security.md). A
// desired state or a command makes an agent act as root (container management's containers agent creates,
// recreates and removes containers, privileged ones too), and an owner's consent lets such an activity go
// on; so the broker's built-in ACL lets only the update manager's account publish them: the manager orders
// its agents, and `ledge um` logs in with that account to use the manager's local API. What the agents
// and the manager report (`desiredstatefeedback`, `currentstate`, `ownerconsent`) and `currentstate/get`
// stay open: third-party update agents (Eclipse Leda's self-update agent) report without a Ledge account.

/** The update manager's local broker account (the packages and `ledge run` make it, as `ledge-<app>`). */
export const UPDATE_MANAGER_USER = 'ledge-update-manager';

/**
 * The orders of every domain's topics (topics.ts: `<mqtt domain>/desiredstate`, `…/desiredstate/command`,
 * `…/ownerconsentfeedback`), the manager's own local API (`deviceupdate/…`) among them, as MQTT filters.
 */
export const UPDATE_ORDER_FILTERS: readonly string[] = Object.freeze(['+/desiredstate', '+/desiredstate/command', '+/ownerconsentfeedback']);
