export { createMemoryRuntime } from './memory-runtime';
export type { MemoryRuntime } from './memory-runtime';
export { createFakeTime } from './fake-time';
export type { FakeTime } from './fake-time';
