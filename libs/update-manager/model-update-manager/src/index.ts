// The update manager's own model (Eclipse Kanto update-manager): config, agents, the device inventory it
// reports, the UpdateManager feature's payloads and the feedback it aggregates. Pure: no I/O. The update
// contract itself (topics, envelope, desired state, feedback) is @ledge/shared/model-update.
export { updateManagerSpec, CONSENT_COMMANDS } from './config';
export type { UpdateManagerSpec, ConsentCommand } from './config';
export { parseAgents, MAX_AGENTS } from './agents';
export type { AgentSettings, AgentDefaults, AgentsResult } from './agents';
export { parseDurationMs, durationProblem } from './durations';
export { applicableDesiredState } from './applicable';
export { deviceInventory, managerNode, UPDATE_MANAGER_NODE_NAME } from './device-inventory';
export { reportedAction, reportedActions, reportedStatus } from './reported-actions';
export { parseApplyArgs, parseRefreshArgs, parseConsentArgs, feedbackMessage, consentMessage, featureProperties } from './feature-payloads';
export type { ActivityBase, ApplyResult, RefreshResult, ConsentResult } from './feature-payloads';
export {
  UpdateManagerModelErrorCodes,
  applyInvalidError,
  refreshInvalidError,
  consentInvalidError,
  consentUnexpectedError,
} from './errors';
export type { UpdateManagerModelErrorCode } from './errors';
