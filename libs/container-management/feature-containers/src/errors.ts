// Errors of container management (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
// The Ditto agent maps kinds to responses: InvalidArgument 400, NotFound 404, others 500.
import { defineErrors, type InvalidArgumentError, type LedgeError, type NotFoundError } from '@ledge/shared/util';

const CmErrors = defineErrors({
  /** A Ditto operation value or descriptor failed validation (400 messages:parameter.invalid). */
  INVALID_REQUEST: { code: 'LEDGE_CM_INVALID_REQUEST', kind: 'InvalidArgument', message: 'invalid {what}: {problems}' },
  /** No container with that ID is managed here (404 for Container:<id> operations). */
  CONTAINER_NOT_FOUND: { code: 'LEDGE_CM_CONTAINER_NOT_FOUND', kind: 'NotFound', message: 'container with ID = {id} does not exist' },
  /** `start` of a container that is already running or paused. */
  ALREADY_RUNNING: { code: 'LEDGE_CM_ALREADY_RUNNING', kind: 'FailedPrecondition', message: 'container with ID = {id} is already running' },
  /** `stop`/`pause` of a container that is not running. */
  NOT_RUNNING: { code: 'LEDGE_CM_NOT_RUNNING', kind: 'FailedPrecondition', message: 'container with ID = {id} is not running ({status})' },
  /** `resume` of a container that is not paused. */
  NOT_PAUSED: { code: 'LEDGE_CM_NOT_PAUSED', kind: 'FailedPrecondition', message: 'container with ID = {id} is not paused ({status})' },
  /** `remove` of a running container without force. */
  REMOVE_RUNNING: { code: 'LEDGE_CM_REMOVE_RUNNING', kind: 'FailedPrecondition', message: 'container with ID = {id} is running; stop it or remove with force' },
  /** Another container already has that name. */
  NAME_IN_USE: { code: 'LEDGE_CM_NAME_IN_USE', kind: 'AlreadyExists', message: 'a container named {name} already exists' },
  /** The image could not be pulled (unknown image, registry unreachable, bad credentials). */
  IMAGE_PULL_FAILED: { code: 'LEDGE_CM_IMAGE_PULL_FAILED', kind: 'FailedPrecondition', message: 'cannot pull image {ref}: {reason}' },
  /** The container runtime refused or failed an operation; the cause holds its error. */
  RUNTIME_FAILED: { code: 'LEDGE_CM_RUNTIME_FAILED', kind: 'FailedPrecondition', message: '{op} of container {id} failed: {reason}' },
  /** A persisted container record under <home>/containers/<id>/config.json is unreadable; it is skipped. */
  STATE_CORRUPT: { code: 'LEDGE_CM_STATE_CORRUPT', kind: 'FailedPrecondition', message: 'container record {file} is unreadable: {reason}' },
  /** A deployment descriptor file is not valid JSON or not a valid §4.2 descriptor; it is skipped. */
  DESCRIPTOR_INVALID: { code: 'LEDGE_CM_DESCRIPTOR_INVALID', kind: 'InvalidArgument', message: 'container descriptor {file} is invalid: {problems}' },
  /** A SoftwareUpdatable artifact could not be downloaded. */
  DOWNLOAD_FAILED: { code: 'LEDGE_CM_DOWNLOAD_FAILED', kind: 'FailedPrecondition', message: 'cannot download {url}: {reason}' },
  /** A downloaded SoftwareUpdatable artifact does not match its checksum. */
  CHECKSUM_MISMATCH: { code: 'LEDGE_CM_CHECKSUM_MISMATCH', kind: 'FailedPrecondition', message: 'artifact {url} does not match its {algorithm} checksum' },
  /** The manager is closing or not started. */
  MANAGER_CLOSED: { code: 'LEDGE_CM_MANAGER_CLOSED', kind: 'FailedPrecondition', message: 'container manager is closed' },
  /** Another live process serves the local API socket (apiSocket); this daemon runs without the CLI API. */
  API_SOCKET_IN_USE: { code: 'LEDGE_CM_API_SOCKET_IN_USE', kind: 'FailedPrecondition', message: 'local API socket {path} is served by another process' },
  /** A local API request sends a body that is not JSON or is too large (400). */
  API_BAD_REQUEST: { code: 'LEDGE_CM_API_BAD_REQUEST', kind: 'InvalidArgument', message: 'request body: {problem}' },
  /** A local API request names no route (404). Until 2026-12-07 this answered with LEDGE_CM_API_BAD_REQUEST. */
  API_NO_ROUTE: { code: 'LEDGE_CM_API_NO_ROUTE', kind: 'NotFound', message: 'no route {method} {url}' },
  /** Containers update agent: a desired-state component names an unknown key or has a bad value; the update is refused (IDENTIFICATION_FAILED) naming the component and key. */
  UPDATE_COMPONENT_INVALID: { code: 'LEDGE_CM_UPDATE_COMPONENT_INVALID', kind: 'InvalidArgument', message: 'desired state of activity {activityId} refused: {problems}' },
  /** Containers update agent: a message on its topics is not a valid envelope, desired state or command; answered with feedback when it carries an activityId. */
  UPDATE_MESSAGE_INVALID: { code: 'LEDGE_CM_UPDATE_MESSAGE_INVALID', kind: 'InvalidArgument', message: 'invalid message on {topic}: {problems}' },
  /** Containers update agent: a command for another activity, with no operation, out of order or for a named baseline; answered with feedback naming why. */
  UPDATE_COMMAND_REFUSED: { code: 'LEDGE_CM_UPDATE_COMMAND_REFUSED', kind: 'FailedPrecondition', message: '{command} for activity {activityId} refused: {why}' },
  /** Containers update agent: a container the update works on was removed or renamed by someone else meanwhile. */
  UPDATE_CONTAINER_MISSING: { code: 'LEDGE_CM_UPDATE_CONTAINER_MISSING', kind: 'FailedPrecondition', message: 'container {name} is gone: it was removed or renamed outside the update' },
  /** Containers update agent: a new or changed container was not running (and healthy, with a check) within the activation deadline (ACTIVATION_FAILURE). */
  UPDATE_ACTIVATION_FAILED: { code: 'LEDGE_CM_UPDATE_ACTIVATION_FAILED', kind: 'FailedPrecondition', message: 'container {name} did not activate: {reason}' },
  /** Containers update agent: a step of restoring the previous state failed (ROLLBACK_FAILURE); the message names the container. */
  UPDATE_ROLLBACK_FAILED: { code: 'LEDGE_CM_UPDATE_ROLLBACK_FAILED', kind: 'FailedPrecondition', message: "restoring container {name} failed at '{step}': {reason}" },
  /** Containers update agent: the journal of an unfinished update (<homeDir>/update-agent/) is unreadable; leftovers are restored by their names alone. */
  UPDATE_JOURNAL_CORRUPT: { code: 'LEDGE_CM_UPDATE_JOURNAL_CORRUPT', kind: 'FailedPrecondition', message: 'update journal {file} is unreadable: {reason}' },
  /**
   * waitHealthy gave up (issue 18): the container exited, its health check found it unhealthy, it was
   * removed or never started, or the deadline passed first; details.reason says which.
   */
  NOT_HEALTHY: { code: 'LEDGE_CM_NOT_HEALTHY', kind: 'FailedPrecondition', message: 'container with ID = {id} is not healthy: {reason}' },
});

export const CmErrorCodes = CmErrors.codes;
export type CmErrorCode = (typeof CmErrorCodes)[keyof typeof CmErrorCodes];

export function invalidRequestError(what: string, problems: readonly string[]): LedgeError {
  return CmErrors.create('INVALID_REQUEST', { what, problems: problems.join('; ') }, { details: { problems } });
}

export function containerNotFoundError(id: string): LedgeError {
  return CmErrors.create('CONTAINER_NOT_FOUND', { id }, { details: { id } });
}

export function alreadyRunningError(id: string): LedgeError {
  return CmErrors.create('ALREADY_RUNNING', { id }, { details: { id } });
}

export function notRunningError(id: string, status: string): LedgeError {
  return CmErrors.create('NOT_RUNNING', { id, status }, { details: { id, status } });
}

export function notPausedError(id: string, status: string): LedgeError {
  return CmErrors.create('NOT_PAUSED', { id, status }, { details: { id, status } });
}

export function removeRunningError(id: string): LedgeError {
  return CmErrors.create('REMOVE_RUNNING', { id }, { details: { id } });
}

export function nameInUseError(name: string): LedgeError {
  return CmErrors.create('NAME_IN_USE', { name }, { details: { name } });
}

export function imagePullError(ref: string, cause: unknown): LedgeError {
  return CmErrors.create('IMAGE_PULL_FAILED', { ref, reason: messageOf(cause) }, { details: { ref }, cause });
}

export function runtimeError(op: string, id: string, cause: unknown): LedgeError {
  return CmErrors.create('RUNTIME_FAILED', { op, id, reason: messageOf(cause) }, { details: { op, id }, cause });
}

export function stateCorruptError(file: string, cause: unknown): LedgeError {
  return CmErrors.create('STATE_CORRUPT', { file, reason: messageOf(cause) }, { details: { file }, cause });
}

export function descriptorInvalidError(file: string, problems: readonly string[]): LedgeError {
  return CmErrors.create('DESCRIPTOR_INVALID', { file, problems: problems.join('; ') }, { details: { file, problems } });
}

export function downloadFailedError(url: string, cause: unknown): LedgeError {
  return CmErrors.create('DOWNLOAD_FAILED', { url, reason: messageOf(cause) }, { details: { url }, cause });
}

export function checksumMismatchError(url: string, algorithm: string): LedgeError {
  return CmErrors.create('CHECKSUM_MISMATCH', { url, algorithm }, { details: { url, algorithm } });
}

export function managerClosedError(): LedgeError {
  return CmErrors.create('MANAGER_CLOSED', {});
}

export function apiSocketInUseError(path: string): LedgeError {
  return CmErrors.create('API_SOCKET_IN_USE', { path }, { details: { path } });
}

/** A local API request body that is not JSON or too large (400). */
export function badJsonError(problem: string): InvalidArgumentError {
  return CmErrors.create('API_BAD_REQUEST', { problem });
}

/** A local API request for a method and path no route serves (404). */
export function noRouteError(method: string, url: string): NotFoundError {
  return CmErrors.create('API_NO_ROUTE', { method, url }, { details: { method, url } });
}

export function updateComponentInvalidError(activityId: string, problems: readonly string[]): LedgeError {
  return CmErrors.create('UPDATE_COMPONENT_INVALID', { activityId, problems: problems.join('; ') }, { details: { activityId, problems } });
}

export function updateMessageInvalidError(topic: string, problems: readonly string[]): LedgeError {
  return CmErrors.create('UPDATE_MESSAGE_INVALID', { topic, problems: problems.join('; ') }, { details: { topic, problems } });
}

export function updateCommandRefusedError(command: string, activityId: string, why: string): LedgeError {
  return CmErrors.create('UPDATE_COMMAND_REFUSED', { command, activityId, why }, { details: { command, activityId } });
}

export function updateContainerMissingError(name: string): LedgeError {
  return CmErrors.create('UPDATE_CONTAINER_MISSING', { name }, { details: { name } });
}

export function updateActivationError(name: string, reason: string, cause?: unknown): LedgeError {
  return CmErrors.create('UPDATE_ACTIVATION_FAILED', { name, reason }, { details: { name }, ...(cause !== undefined ? { cause } : {}) });
}

export function updateRollbackError(name: string, step: string, cause: unknown): LedgeError {
  return CmErrors.create('UPDATE_ROLLBACK_FAILED', { name, step, reason: messageOf(cause) }, { details: { name, step }, cause });
}

export function updateJournalCorruptError(file: string, cause: unknown): LedgeError {
  return CmErrors.create('UPDATE_JOURNAL_CORRUPT', { file, reason: messageOf(cause) }, { details: { file }, cause });
}

export type NotHealthyDetails =
  | { reason: 'exited'; exitCode: number; output?: string }
  | { reason: 'unhealthy'; output: string }
  | { reason: 'deadline'; deadlineMs: number; waitingFor: string; output?: string }
  | { reason: 'removed' }
  | { reason: 'not-running'; status: string };

function notHealthyReason(d: NotHealthyDetails): string {
  switch (d.reason) {
    case 'exited':
      return `exited with code ${d.exitCode}${d.output ? ` (${d.output})` : ''}`;
    case 'unhealthy':
      return `unhealthy: ${d.output.trim() || 'the health check failed'}`;
    case 'deadline':
      return `deadline of ${d.deadlineMs} ms passed (${d.waitingFor}${d.output ? `; last probe: ${d.output.trim()}` : ''})`;
    case 'removed':
      return 'removed';
    case 'not-running':
      return `not running (${d.status})`;
  }
}

export function notHealthyError(id: string, details: NotHealthyDetails): LedgeError {
  return CmErrors.create('NOT_HEALTHY', { id, reason: notHealthyReason(details) }, { details: { id, ...details } });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
