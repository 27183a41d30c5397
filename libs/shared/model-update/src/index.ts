// Eclipse Kanto's update contract (update-manager): topics, envelope, desired state, feedback, current
// state, commands and owner consent, and the UpdateManager Ditto feature's names. Pure: no I/O.
export { isDomainId, mqttDomain, updateTopics } from './topics';
export type { UpdateTopics } from './topics';
export { UPDATE_MANAGER_USER, UPDATE_ORDER_FILTERS } from './orders';
export { envelope, parseEnvelope, UPDATE_LIMITS } from './envelope';
export type { Envelope, EnvelopeResult } from './envelope';
export { configValue, configValues, desiredStateForDomain, parseDesiredState } from './desired-state';
export type { Baseline, Component, ComponentWithConfig, DesiredState, DesiredStateResult, Domain, KeyValuePair } from './desired-state';
export { ACTION_STATUSES, FINAL_STATUSES, parseFeedback, STATUSES } from './feedback';
export type { Action, ActionStatus, DesiredStateFeedback, FeedbackResult, Status } from './feedback';
export { parseInventory, SOFTWARE_TYPES } from './inventory';
export type { Association, HardwareNode, Inventory, InventoryNode, InventoryResult, SoftwareNode, SoftwareType } from './inventory';
export { COMMANDS, isCommand, parseCommand, parseOwnerConsentFeedback } from './commands';
export type { Command, CommandResult, ConsentFeedbackResult, ConsentStatus, DesiredStateCommand, OwnerConsent, OwnerConsentFeedback } from './commands';
export { UPDATE_MANAGER_DEFINITION, UPDATE_MANAGER_FEATURE_ID, UpdateManagerMessages } from './update-manager-feature';
