export { createMemoryRuntime } from './memory-runtime';
export type { MemoryRuntime } from './memory-runtime';
