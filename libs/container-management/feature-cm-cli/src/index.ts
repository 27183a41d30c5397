export { cmCommand, DEFAULT_CM_HOST } from './command';
export type { CmIo } from './command';
export { createCmClient, ApiCallError, DaemonUnreachableError } from './client';
export type { CmClient, CmClientOptions, CmResponse } from './client';
export { descriptorFromFlags, healthCheckFromFlags, updateFromFlags, parsePortFlag, parseDeviceFlag, parseMountFlag, refuseDecryption, UsageError, UnsupportedError } from './create-flags';
export type { CreateFlags, UpdateFlags } from './create-flags';
export { formatTable, statusCell, formatProgress, formatBytes, parseFilters, applyFilters, capitalise, NO_CONTAINERS, LIST_COLUMNS } from './format';
export type { ApiContainer, ListFilter, ProgressLine } from './format';
