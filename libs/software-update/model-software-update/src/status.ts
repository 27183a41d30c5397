// hawkBit SoftwareUpdatable operation statuses and Kanto's failure messages (§5.3), and the
// `lastOperation` objects built from them in the v1.0.0 spelling (`correlationId`, `softwareModule`).

export const OperationStatuses = Object.freeze({
  STARTED: 'STARTED',
  DOWNLOADING: 'DOWNLOADING',
  DOWNLOADING_WAITING: 'DOWNLOADING_WAITING',
  DOWNLOADED: 'DOWNLOADED',
  DOWNLOADED_FILE_STORED: 'DOWNLOADED_FILE_STORED',
  INSTALLING: 'INSTALLING',
  INSTALLING_WAITING: 'INSTALLING_WAITING',
  INSTALLED: 'INSTALLED',
  REMOVING: 'REMOVING',
  REMOVING_WAITING: 'REMOVING_WAITING',
  REMOVED: 'REMOVED',
  CANCELING_WAITING: 'CANCELING_WAITING',
  CANCEL_REJECTED: 'CANCEL_REJECTED',
  FINISHED_CANCELED: 'FINISHED_CANCELED',
  FINISHED_ERROR: 'FINISHED_ERROR',
  FINISHED_SUCCESS: 'FINISHED_SUCCESS',
  FINISHED_WARNING: 'FINISHED_WARNING',
  FINISHED_REJECTED: 'FINISHED_REJECTED',
} as const);
export type OperationStatus = (typeof OperationStatuses)[keyof typeof OperationStatuses];

/** Kanto's FINISHED_ERROR messages (§5.3), word for word: cloud rules match on them. */
export const FailureMessages = Object.freeze({
  internal: 'internal runtime error',
  download: 'fail to download module',
  extract: 'fail to extract module archive',
  multipleArtifacts: 'archive modules cannot have multiple artifacts',
  execute: 'fail to execute install script',
  saveDeps: 'fail to save installed dependencies',
  refreshDeps: 'fail to refresh installed dependencies',
} as const);

/** Statuses that also set `lastFailedOperation` (sent before `lastOperation`). */
export function isFailedStatus(status: OperationStatus): boolean {
  return status === 'FINISHED_ERROR' || status === 'FINISHED_REJECTED' || status === 'CANCEL_REJECTED';
}

export function isFinalStatus(status: OperationStatus): boolean {
  return status.startsWith('FINISHED_');
}

export interface SoftwareModuleId {
  readonly name: string;
  readonly version: string;
}

/** The `lastOperation` / `lastFailedOperation` property value (v1.0.0 spelling). */
export interface OperationStatusValue {
  readonly correlationId: string;
  readonly status: OperationStatus;
  readonly softwareModule?: SoftwareModuleId;
  readonly progress?: number;
  readonly message?: string;
  readonly statusCode?: string;
}

export interface OperationStatusInput {
  correlationId: string;
  status: OperationStatus;
  softwareModule?: SoftwareModuleId | undefined;
  progress?: number | undefined;
  message?: string | undefined;
  statusCode?: string | undefined;
}

/** Builds a status value; empty message/statusCode and absent progress are left out, as Go's `omitempty`. */
export function buildOperationStatus(input: OperationStatusInput): OperationStatusValue {
  const v: { -readonly [K in keyof OperationStatusValue]: OperationStatusValue[K] } = { correlationId: input.correlationId, status: input.status };
  if (input.softwareModule !== undefined) v.softwareModule = { name: input.softwareModule.name, version: input.softwareModule.version };
  if (input.progress !== undefined) v.progress = clampProgress(input.progress);
  if (input.message) v.message = input.message;
  if (input.statusCode) v.statusCode = input.statusCode;
  return v;
}

export function clampProgress(p: number): number {
  if (!Number.isFinite(p)) return 0;
  return Math.max(0, Math.min(100, Math.round(p)));
}

/** The statuses a successful module goes through (§5.3), for documentation and tests. */
export const SuccessSequences = Object.freeze({
  install: Object.freeze(['STARTED', 'DOWNLOADING', 'DOWNLOADED', 'INSTALLING', 'INSTALLED', 'FINISHED_SUCCESS'] as OperationStatus[]),
  download: Object.freeze(['STARTED', 'DOWNLOADING', 'DOWNLOADED', 'FINISHED_SUCCESS'] as OperationStatus[]),
});

/** Collapses repeated statuses (progress updates) into the sequence of distinct steps. */
export function distinctStatuses(values: readonly { status: string }[]): string[] {
  const out: string[] = [];
  for (const v of values) if (out.at(-1) !== v.status) out.push(v.status);
  return out;
}
