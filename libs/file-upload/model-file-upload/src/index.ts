export { FileUploadErrorCodes, parameterInvalidError, uploadNotFoundError, pathRefusedError, providerUnknownError, providerOptionError, uploadInProgressError, noFilesError } from './errors';
export type { FileUploadErrorCode } from './errors';
export { fileUploadSpec } from './config';
export type { FileUploadSpec } from './config';
export { parseTime, parseDuration, toRfc3339 } from './time';
export { globToRegExp, splitGlob, matchesGlob, hasMagic, selectionFor, checkConfined } from './glob';
export type { UploadMode, Selection } from './glob';
export { AutoUploadableOperations, parseTrigger, parseStart, parseCancel, parseActivate, requestOptions, infoOf, uploadOptionsOf } from './operations';
export type { AutoUploadableOperation, UploadOptions, TriggerRequest, StartRequest, CancelRequest, ActivateRequest } from './operations';
export { UploadStates, SUPPORTED_PROVIDERS, REQUEST_PROVIDERS, autoUploadProperty, buildFeature, lastUpload, percent } from './state';
export type { UploadState, LastUpload, AutoUpload } from './state';
export type { UploadSource, UploadJob, UploadProvider, Checkpoint } from './provider';
export { countingStream } from './counting-stream';
export { uploadAgentOptions } from './agent-options';
export type { UploadAgentOptions } from './agent-options';
export { partSizeFor, S3_PART_LIMITS, AZURE_BLOCK_LIMITS, PART_SIZE_RANGE } from './part-size';
export type { PartLimits } from './part-size';
export { LOGS_FEATURE_ID, LOGS_DEFINITION, LOG_LEVELS, LOGS_LIMITS, parseLogsUpload, parseLogsTail, keepLine, capTail } from './logs';
export type { LogLevel, LogsUploadRequest, LogsTailRequest } from './logs';
export {
  BackupStates,
  BackupOperations,
  BackupErrorCodes,
  BACKUP_DIR_OPTION,
  parseBackup,
  parseRestore,
  backupDirFor,
  isWithin,
  lastOperation,
  backupFileName,
  backupDirRefusedError,
  operationInProgressError,
  archiveRefusedError,
  commandFailedError,
} from './backup';
export type { BackupState, BackupRequest, LastOperation } from './backup';
export { fileBackupSpec } from './backup-config';
export type { FileBackupSpec } from './backup-config';
