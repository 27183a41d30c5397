// MQTT topic rules, the one home for them (STYLE.md "One home per rule"): topic name and filter
// validity, matching, `$share/<group>/<filter>`, filter coverage for ACLs, the length limit. Pure: no
// I/O. Every implementation's conformance table is `@ledge/shared/model-mqtt/testing`.
export { SHARED_SUBSCRIPTION_PREFIX, TOPIC_LIMITS } from './limits';
export { isValidTopicFilter, isValidTopicName, parseSharedSubscription, topicFilterProblem, topicNameProblem } from './topic-validation';
export type { SharedSubscription } from './topic-validation';
export { matchValidTopic, topicMatches } from './topic-match';
export { filterCovers } from './filter-covers';
