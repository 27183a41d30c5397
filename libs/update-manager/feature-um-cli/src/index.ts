export { umCommand } from './command';
export type { UmDeps, UmIo } from './command';
export { applyDesiredState, currentState, sendConsent, onFeedback, NoAnswerError } from './exchanges';
export type { FeedbackEvent } from './exchanges';
export { formatFeedback, formatInventory } from './format';
export { readDesiredState, UsageError } from './input';
export type { DesiredStateInput } from './input';
