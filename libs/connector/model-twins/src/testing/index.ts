export { createMemoryTwins, testTwinContext } from './memory-twins';
export type { MemoryTwins } from './memory-twins';
export { twinCommand, runLocalCommand } from './twin-commands';
export type { HandledCommand } from './twin-commands';
