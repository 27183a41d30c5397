export { cloudProtocolContract, garbagePayloads } from './cloud-protocol-contract';
export type { CloudProtocolContractOptions } from './cloud-protocol-contract';
