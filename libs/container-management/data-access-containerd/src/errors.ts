// Errors of the containerd runtime (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. gRPC status errors from containerd are translated here, once, at the boundary
// (after containerd's errdefs: NotFound, AlreadyExists, FailedPrecondition, InvalidArgument, Unavailable).
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  formatMessage,
  isLedgeError,
  type LedgeError,
} from '@ledge/shared/util';

export const CtrdErrorCodes = Object.freeze({
  /** containerd reported that the object (container, task, image, snapshot, blob) does not exist. */
  NOT_FOUND: 'LEDGE_CTRD_NOT_FOUND',
  /** containerd reported that the object already exists (duplicate container ID, snapshot key...). */
  ALREADY_EXISTS: 'LEDGE_CTRD_ALREADY_EXISTS',
  /** containerd refused the call in the object's current state (e.g. start of a running task). */
  FAILED_PRECONDITION: 'LEDGE_CTRD_FAILED_PRECONDITION',
  /** containerd rejected an argument (bad spec, bad filter, bad digest). */
  INVALID_ARGUMENT: 'LEDGE_CTRD_INVALID_ARGUMENT',
  /** The containerd socket cannot be reached or the call hit its deadline. */
  UNAVAILABLE: 'LEDGE_CTRD_UNAVAILABLE',
  /** Any other containerd failure (the gRPC status is in details.grpcCode). */
  INTERNAL: 'LEDGE_CTRD_INTERNAL',
  /** The runtime object was closed. */
  CLOSED: 'LEDGE_CTRD_CLOSED',
  /** An image reference cannot be parsed. */
  INVALID_REFERENCE: 'LEDGE_CTRD_INVALID_REFERENCE',
  /** The registry has no such image/tag, or no manifest for the requested platform. */
  IMAGE_NOT_FOUND: 'LEDGE_CTRD_IMAGE_NOT_FOUND',
  /** The registry answered with an unexpected status, bad content or a digest mismatch. */
  REGISTRY_FAILED: 'LEDGE_CTRD_REGISTRY_FAILED',
  /** The registry refused our credentials (401/403). */
  REGISTRY_UNAUTHORIZED: 'LEDGE_CTRD_REGISTRY_UNAUTHORIZED',
  /** The image is not in the content store or not unpacked (pull it first). */
  IMAGE_NOT_PRESENT: 'LEDGE_CTRD_IMAGE_NOT_PRESENT',
  /** No container record with this ID in the namespace. */
  CONTAINER_NOT_FOUND: 'LEDGE_CTRD_CONTAINER_NOT_FOUND',
  /** The container has no task (never started or removed). */
  TASK_NOT_FOUND: 'LEDGE_CTRD_TASK_NOT_FOUND',
  /** The operation needs a running task (or a stopped one for remove without force). */
  TASK_STATE: 'LEDGE_CTRD_TASK_STATE',
  /** The task outlived the stop timeout and force was false. */
  STOP_TIMEOUT: 'LEDGE_CTRD_STOP_TIMEOUT',
  /** A container config value cannot be turned into an OCI spec (unknown signal, missing device...). */
  INVALID_CONFIG: 'LEDGE_CTRD_INVALID_CONFIG',
  /** A CNI plugin or `ip netns` failed while setting up or tearing down container networking. */
  NETWORK_FAILED: 'LEDGE_CTRD_NETWORK_FAILED',
  /** The operation was aborted through its AbortSignal. */
  ABORTED: 'LEDGE_CTRD_ABORTED',
  /** A process run in a container (exec, e.g. a health probe) outlived its timeout and was killed. */
  EXEC_TIMEOUT: 'LEDGE_CTRD_EXEC_TIMEOUT',
} as const);
export type CtrdErrorCode = (typeof CtrdErrorCodes)[keyof typeof CtrdErrorCodes];

const messages: Readonly<Record<CtrdErrorCode, string>> = Object.freeze({
  LEDGE_CTRD_NOT_FOUND: 'containerd {op}: not found: {detail}',
  LEDGE_CTRD_ALREADY_EXISTS: 'containerd {op}: already exists: {detail}',
  LEDGE_CTRD_FAILED_PRECONDITION: 'containerd {op}: failed precondition: {detail}',
  LEDGE_CTRD_INVALID_ARGUMENT: 'containerd {op}: invalid argument: {detail}',
  LEDGE_CTRD_UNAVAILABLE: 'containerd {op}: unavailable: {detail}',
  LEDGE_CTRD_INTERNAL: 'containerd {op} failed: {detail}',
  LEDGE_CTRD_CLOSED: 'container runtime is closed',
  LEDGE_CTRD_INVALID_REFERENCE: 'invalid image reference "{ref}"',
  LEDGE_CTRD_IMAGE_NOT_FOUND: 'image {ref} not found: {detail}',
  LEDGE_CTRD_REGISTRY_FAILED: 'registry request for {ref} failed: {detail}',
  LEDGE_CTRD_REGISTRY_UNAUTHORIZED: 'registry refused access to {ref}',
  LEDGE_CTRD_IMAGE_NOT_PRESENT: 'image {ref} is not pulled',
  LEDGE_CTRD_CONTAINER_NOT_FOUND: 'container {id} not found',
  LEDGE_CTRD_TASK_NOT_FOUND: 'container {id} has no task',
  LEDGE_CTRD_TASK_STATE: 'container {id}: {detail}',
  LEDGE_CTRD_STOP_TIMEOUT: 'container {id} did not stop within {timeoutMs} ms',
  LEDGE_CTRD_INVALID_CONFIG: 'container {id}: {detail}',
  LEDGE_CTRD_NETWORK_FAILED: 'container {id} network: {detail}',
  LEDGE_CTRD_ABORTED: '{op} aborted',
  LEDGE_CTRD_EXEC_TIMEOUT: 'container {id}: {command} did not end within {timeoutMs} ms; killed',
});

type Ctor = new (code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) => LedgeError;
const kinds: Readonly<Record<CtrdErrorCode, Ctor>> = Object.freeze({
  LEDGE_CTRD_NOT_FOUND: NotFoundError,
  LEDGE_CTRD_ALREADY_EXISTS: AlreadyExistsError,
  LEDGE_CTRD_FAILED_PRECONDITION: FailedPreconditionError,
  LEDGE_CTRD_INVALID_ARGUMENT: InvalidArgumentError,
  LEDGE_CTRD_UNAVAILABLE: UnavailableError,
  LEDGE_CTRD_INTERNAL: InternalError,
  LEDGE_CTRD_CLOSED: FailedPreconditionError,
  LEDGE_CTRD_INVALID_REFERENCE: InvalidArgumentError,
  LEDGE_CTRD_IMAGE_NOT_FOUND: NotFoundError,
  LEDGE_CTRD_REGISTRY_FAILED: UnavailableError,
  LEDGE_CTRD_REGISTRY_UNAUTHORIZED: FailedPreconditionError,
  LEDGE_CTRD_IMAGE_NOT_PRESENT: NotFoundError,
  LEDGE_CTRD_CONTAINER_NOT_FOUND: NotFoundError,
  LEDGE_CTRD_TASK_NOT_FOUND: NotFoundError,
  LEDGE_CTRD_TASK_STATE: FailedPreconditionError,
  LEDGE_CTRD_STOP_TIMEOUT: FailedPreconditionError,
  LEDGE_CTRD_INVALID_CONFIG: InvalidArgumentError,
  LEDGE_CTRD_NETWORK_FAILED: InternalError,
  LEDGE_CTRD_ABORTED: FailedPreconditionError,
  LEDGE_CTRD_EXEC_TIMEOUT: FailedPreconditionError,
});

export function ctrdError(code: CtrdErrorCode, values: Record<string, unknown> = {}, cause?: unknown): LedgeError {
  const Kind = kinds[code];
  return new Kind(code, formatMessage(messages[code], values), { cause, details: values });
}

const grpcToCode: Partial<Record<number, CtrdErrorCode>> = {
  [GrpcStatus.NOT_FOUND]: CtrdErrorCodes.NOT_FOUND,
  [GrpcStatus.ALREADY_EXISTS]: CtrdErrorCodes.ALREADY_EXISTS,
  [GrpcStatus.FAILED_PRECONDITION]: CtrdErrorCodes.FAILED_PRECONDITION,
  [GrpcStatus.INVALID_ARGUMENT]: CtrdErrorCodes.INVALID_ARGUMENT,
  [GrpcStatus.UNAVAILABLE]: CtrdErrorCodes.UNAVAILABLE,
  [GrpcStatus.DEADLINE_EXCEEDED]: CtrdErrorCodes.UNAVAILABLE,
};

/** Translates a gRPC error from containerd into a LedgeError (LedgeErrors pass through). */
export function fromGrpc(err: unknown, op: string): LedgeError {
  if (isLedgeError(err)) return err;
  const e = err as Partial<ServiceError>;
  const code = typeof e.code === 'number' ? (grpcToCode[e.code] ?? CtrdErrorCodes.INTERNAL) : CtrdErrorCodes.INTERNAL;
  const detail = e.details || (err instanceof Error ? err.message : String(err));
  const out = ctrdError(code, { op, detail }, err);
  if (typeof e.code === 'number' && out.details) out.details.grpcCode = e.code;
  return out;
}

export function isNotFound(err: unknown): boolean {
  return isLedgeError(err) && err.kind === 'NotFound';
}
