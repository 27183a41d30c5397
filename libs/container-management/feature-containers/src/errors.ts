// Errors of container management (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
// The Ditto agent maps kinds to responses: InvalidArgument 400, NotFound 404, others 500.
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError, type LedgeError } from '@ledge/shared/util';

export const CmErrorCodes = Object.freeze({
  /** A Ditto operation value or descriptor failed validation (400 messages:parameter.invalid). */
  INVALID_REQUEST: 'LEDGE_CM_INVALID_REQUEST',
  /** No container with that ID is managed here (404 for Container:<id> operations). */
  CONTAINER_NOT_FOUND: 'LEDGE_CM_CONTAINER_NOT_FOUND',
  /** `start` of a container that is already running or paused. */
  ALREADY_RUNNING: 'LEDGE_CM_ALREADY_RUNNING',
  /** `stop`/`pause` of a container that is not running. */
  NOT_RUNNING: 'LEDGE_CM_NOT_RUNNING',
  /** `resume` of a container that is not paused. */
  NOT_PAUSED: 'LEDGE_CM_NOT_PAUSED',
  /** `remove` of a running container without force. */
  REMOVE_RUNNING: 'LEDGE_CM_REMOVE_RUNNING',
  /** Another container already has that name. */
  NAME_IN_USE: 'LEDGE_CM_NAME_IN_USE',
  /** The image could not be pulled (unknown image, registry unreachable, bad credentials). */
  IMAGE_PULL_FAILED: 'LEDGE_CM_IMAGE_PULL_FAILED',
  /** The container runtime refused or failed an operation; the cause holds its error. */
  RUNTIME_FAILED: 'LEDGE_CM_RUNTIME_FAILED',
  /** A persisted container record under <home>/containers/<id>/config.json is unreadable; it is skipped. */
  STATE_CORRUPT: 'LEDGE_CM_STATE_CORRUPT',
  /** A deployment descriptor file is not valid JSON or not a valid §4.2 descriptor; it is skipped. */
  DESCRIPTOR_INVALID: 'LEDGE_CM_DESCRIPTOR_INVALID',
  /** A SoftwareUpdatable artifact could not be downloaded. */
  DOWNLOAD_FAILED: 'LEDGE_CM_DOWNLOAD_FAILED',
  /** A downloaded SoftwareUpdatable artifact does not match its checksum. */
  CHECKSUM_MISMATCH: 'LEDGE_CM_CHECKSUM_MISMATCH',
  /** The manager is closing or not started. */
  MANAGER_CLOSED: 'LEDGE_CM_MANAGER_CLOSED',
  /** Another live process serves the local API socket (apiSocket); this daemon runs without the CLI API. */
  API_SOCKET_IN_USE: 'LEDGE_CM_API_SOCKET_IN_USE',
  /** A local API request names no route (404) or sends a body that is not JSON (400). */
  API_BAD_REQUEST: 'LEDGE_CM_API_BAD_REQUEST',
  /** Containers update agent: a desired-state component names an unknown key or has a bad value; the update is refused (IDENTIFICATION_FAILED) naming the component and key. */
  UPDATE_COMPONENT_INVALID: 'LEDGE_CM_UPDATE_COMPONENT_INVALID',
  /** Containers update agent: a message on its topics is not a valid envelope, desired state or command; answered with feedback when it carries an activityId. */
  UPDATE_MESSAGE_INVALID: 'LEDGE_CM_UPDATE_MESSAGE_INVALID',
  /** Containers update agent: a command for another activity, with no operation, out of order or for a named baseline; answered with feedback naming why. */
  UPDATE_COMMAND_REFUSED: 'LEDGE_CM_UPDATE_COMMAND_REFUSED',
  /** Containers update agent: a container the update works on was removed or renamed by someone else meanwhile. */
  UPDATE_CONTAINER_MISSING: 'LEDGE_CM_UPDATE_CONTAINER_MISSING',
  /** Containers update agent: a new or changed container was not running (and healthy, with a check) within the activation deadline (ACTIVATION_FAILURE). */
  UPDATE_ACTIVATION_FAILED: 'LEDGE_CM_UPDATE_ACTIVATION_FAILED',
  /** Containers update agent: a step of restoring the previous state failed (ROLLBACK_FAILURE); the message names the container. */
  UPDATE_ROLLBACK_FAILED: 'LEDGE_CM_UPDATE_ROLLBACK_FAILED',
  /** Containers update agent: the journal of an unfinished update (<homeDir>/update-agent/) is unreadable; leftovers are restored by their names alone. */
  UPDATE_JOURNAL_CORRUPT: 'LEDGE_CM_UPDATE_JOURNAL_CORRUPT',
  /**
   * waitHealthy gave up (issue 18): the container exited, its health check found it unhealthy, it was
   * removed or never started, or the deadline passed first; details.reason says which.
   */
  NOT_HEALTHY: 'LEDGE_CM_NOT_HEALTHY',
} as const);
export type CmErrorCode = (typeof CmErrorCodes)[keyof typeof CmErrorCodes];

export function invalidRequestError(what: string, problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(CmErrorCodes.INVALID_REQUEST, `invalid ${what}: ${problems.join('; ')}`, { details: { problems } });
}

export function containerNotFoundError(id: string): LedgeError {
  return new NotFoundError(CmErrorCodes.CONTAINER_NOT_FOUND, `container with ID = ${id} does not exist`, { details: { id } });
}

export function alreadyRunningError(id: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.ALREADY_RUNNING, `container with ID = ${id} is already running`, { details: { id } });
}

export function notRunningError(id: string, status: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.NOT_RUNNING, `container with ID = ${id} is not running (${status})`, { details: { id, status } });
}

export function notPausedError(id: string, status: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.NOT_PAUSED, `container with ID = ${id} is not paused (${status})`, { details: { id, status } });
}

export function removeRunningError(id: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.REMOVE_RUNNING, `container with ID = ${id} is running; stop it or remove with force`, { details: { id } });
}

export function nameInUseError(name: string): LedgeError {
  return new AlreadyExistsError(CmErrorCodes.NAME_IN_USE, `a container named ${name} already exists`, { details: { name } });
}

export function imagePullError(ref: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.IMAGE_PULL_FAILED, `cannot pull image ${ref}: ${messageOf(cause)}`, { details: { ref }, cause });
}

export function runtimeError(op: string, id: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.RUNTIME_FAILED, `${op} of container ${id} failed: ${messageOf(cause)}`, { details: { op, id }, cause });
}

export function stateCorruptError(file: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.STATE_CORRUPT, `container record ${file} is unreadable: ${messageOf(cause)}`, { details: { file }, cause });
}

export function descriptorInvalidError(file: string, problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(CmErrorCodes.DESCRIPTOR_INVALID, `container descriptor ${file} is invalid: ${problems.join('; ')}`, { details: { file, problems } });
}

export function downloadFailedError(url: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.DOWNLOAD_FAILED, `cannot download ${url}: ${messageOf(cause)}`, { details: { url }, cause });
}

export function checksumMismatchError(url: string, algorithm: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.CHECKSUM_MISMATCH, `artifact ${url} does not match its ${algorithm} checksum`, { details: { url, algorithm } });
}

export function managerClosedError(): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.MANAGER_CLOSED, 'container manager is closed');
}

export function apiSocketInUseError(path: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.API_SOCKET_IN_USE, `local API socket ${path} is served by another process`, { details: { path } });
}

export function updateComponentInvalidError(activityId: string, problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(CmErrorCodes.UPDATE_COMPONENT_INVALID, `desired state of activity ${activityId} refused: ${problems.join('; ')}`, { details: { activityId, problems } });
}

export function updateMessageInvalidError(topic: string, problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(CmErrorCodes.UPDATE_MESSAGE_INVALID, `invalid message on ${topic}: ${problems.join('; ')}`, { details: { topic, problems } });
}

export function updateCommandRefusedError(command: string, activityId: string, why: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.UPDATE_COMMAND_REFUSED, `${command} for activity ${activityId} refused: ${why}`, { details: { command, activityId } });
}

export function updateContainerMissingError(name: string): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.UPDATE_CONTAINER_MISSING, `container ${name} is gone: it was removed or renamed outside the update`, { details: { name } });
}

export function updateActivationError(name: string, reason: string, cause?: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.UPDATE_ACTIVATION_FAILED, `container ${name} did not activate: ${reason}`, { details: { name }, ...(cause !== undefined ? { cause } : {}) });
}

export function updateRollbackError(name: string, step: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.UPDATE_ROLLBACK_FAILED, `restoring container ${name} failed at '${step}': ${messageOf(cause)}`, { details: { name, step }, cause });
}

export function updateJournalCorruptError(file: string, cause: unknown): LedgeError {
  return new FailedPreconditionError(CmErrorCodes.UPDATE_JOURNAL_CORRUPT, `update journal ${file} is unreadable: ${messageOf(cause)}`, { details: { file }, cause });
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
  return new FailedPreconditionError(CmErrorCodes.NOT_HEALTHY, `container with ID = ${id} is not healthy: ${notHealthyReason(details)}`, { details: { id, ...details } });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
