export { filterCoverCases, topicMatchCases, topicValidityCases } from './topic-rule-cases';
export type { FilterCoverCase, TopicMatchCase, TopicValidityCase } from './topic-rule-cases';
