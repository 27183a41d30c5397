export { statusCommand } from './command';
export type { StatusDeps, StatusIo } from './command';
export { collectStatus, directoryBytes } from './collect';
export type { CollectOptions } from './collect';
export { problemsOf, formatStatus, formatBytes } from './report';
export type { GatewayStatus, ContainerSummary } from './report';
