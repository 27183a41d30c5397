export { SoftwareUpdateModelErrorCodes, requestInvalidError } from './errors';
export type { SoftwareUpdateModelErrorCode } from './errors';
export {
  OperationStatuses,
  FailureMessages,
  SuccessSequences,
  isFailedStatus,
  isFinalStatus,
  buildOperationStatus,
  clampProgress,
  distinctStatuses,
} from './status';
export type { OperationStatus, OperationStatusValue, OperationStatusInput, SoftwareModuleId } from './status';
export {
  parseUpdateAction,
  artifactTypeOf,
  selectLink,
  selectChecksum,
  isSafeFileName,
  DOWNLOAD_PROTOCOLS,
  SUPPORTED_PROTOCOLS,
} from './request';
export type {
  UpdateOperation,
  HashAlgorithm,
  ArtifactType,
  ArtifactLink,
  Checksums,
  Artifact,
  SoftwareModuleAction,
  UpdateAction,
  UpdateActionParseResult,
} from './request';
export { parsePrs, parseKeyValueLines, buildInstalledDependencies, parseScriptStatus, sameScriptStatus } from './dependencies';
export type { Dependency, DependencyParseResult, ScriptStatus } from './dependencies';
export { parseDuration, durationProblem } from './duration';
export { parseStage, stageText, resumeActionOf } from './stage';
export type { ModuleStage, ResumeAction } from './stage';
export { softwareUpdateSpec } from './config';
export type { SoftwareUpdateSpec } from './config';
