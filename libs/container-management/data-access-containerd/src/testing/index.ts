export { startContainerd, containerdAvailable } from './containerd-fixture';
export type { ContainerdFixture } from './containerd-fixture';
export { startRegistry, registryAvailable, freePort, platformKey } from './registry-fixture';
export type { MultiPlatform, RegistryFixture } from './registry-fixture';
export { runtimeContract } from './runtime-contract';
export type { RuntimeContractOptions, RuntimeFactory } from './runtime-contract';
