export { providerContract } from './contract';
export type { ContractFixture } from './contract';
export { createMemoryProvider, bufferSource } from './memory-provider';
export type { MemoryProvider } from './memory-provider';
