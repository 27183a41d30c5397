export { cloudProtocolContract, garbagePayloads, topicFilterProblem, topicMatchesFilter } from './cloud-protocol-contract';
export type { CloudProtocolContractOptions } from './cloud-protocol-contract';
