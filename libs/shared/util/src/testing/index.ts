export { createTempDir, onCleanup, spawnNode, spawnProcess, waitFor, bundlePath, repoRoot, hasCommand, fetchText } from './processes';
export type { Spawned, SpawnOptions, TestContextLike } from './processes';
export { captureLogger } from './capture-logger';
export type { CapturedLogger } from './capture-logger';
export { createRng, fuzzSeed, mutate, notJson, randomJson } from './fuzz';
export { skipUnlessTools } from './tools';
export { extractTarGz } from './archives';
export type { ExtractedArchive } from './archives';
