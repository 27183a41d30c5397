export { createContainerdRuntime } from './containerd-runtime';
export type { ContainerdRuntimeOptions } from './containerd-runtime';
export { CtrdErrorCodes } from './errors';
export type { CtrdErrorCode } from './errors';
export { parseReference, parsePlatform, hostPlatform } from './reference';
export type { ImageReference, Platform } from './reference';
export { defaultNetworkOptions } from './network';
export type { NetworkOptions } from './network';
export type { RegistryCredentials, RegistryConfig, RegistryTls } from './registry';
