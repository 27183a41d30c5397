export { startContainerd, containerdAvailable } from './containerd-fixture';
export type { ContainerdFixture } from './containerd-fixture';
export { startRegistry, registryAvailable, freePort, platformKey } from './registry-fixture';
export type { MultiPlatform, RegistryAuth, RegistryFixture } from './registry-fixture';
export { startTokenServer } from './registry-token-server';
export type { TokenRequest, TokenServer } from './registry-token-server';
export { runtimeContract } from './runtime-contract';
export type { RuntimeContractOptions, RuntimeFactory } from './runtime-contract';
