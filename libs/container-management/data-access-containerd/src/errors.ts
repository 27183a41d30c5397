// Errors of the containerd runtime (STYLE.md "Errors"): stable codes, never reused, listed in
// docs/errors.md. gRPC status errors from containerd are translated here, once, at the boundary
// (after containerd's errdefs: NotFound, AlreadyExists, FailedPrecondition, InvalidArgument, Unavailable).
import type { ServiceError } from '@grpc/grpc-js';
import { defineErrors, isLedgeError, type LedgeError } from '@ledge/shared/util';

const CtrdErrors = defineErrors({
  /** containerd reported that the object (container, task, image, snapshot, blob) does not exist. */
  NOT_FOUND: { code: 'LEDGE_CTRD_NOT_FOUND', kind: 'NotFound', message: 'containerd {op}: not found: {detail}' },
  /** containerd reported that the object already exists (duplicate container ID, snapshot key...). */
  ALREADY_EXISTS: { code: 'LEDGE_CTRD_ALREADY_EXISTS', kind: 'AlreadyExists', message: 'containerd {op}: already exists: {detail}' },
  /** containerd refused the call in the object's current state (e.g. start of a running task). */
  FAILED_PRECONDITION: { code: 'LEDGE_CTRD_FAILED_PRECONDITION', kind: 'FailedPrecondition', message: 'containerd {op}: failed precondition: {detail}' },
  /** containerd rejected an argument (bad spec, bad filter, bad digest). */
  INVALID_ARGUMENT: { code: 'LEDGE_CTRD_INVALID_ARGUMENT', kind: 'InvalidArgument', message: 'containerd {op}: invalid argument: {detail}' },
  /** The containerd socket cannot be reached or the call hit its deadline. */
  UNAVAILABLE: { code: 'LEDGE_CTRD_UNAVAILABLE', kind: 'Unavailable', message: 'containerd {op}: unavailable: {detail}' },
  /** Any other containerd failure (the gRPC status is in details.grpcCode). */
  INTERNAL: { code: 'LEDGE_CTRD_INTERNAL', kind: 'Internal', message: 'containerd {op} failed: {detail}' },
  /** The runtime object was closed. */
  CLOSED: { code: 'LEDGE_CTRD_CLOSED', kind: 'FailedPrecondition', message: 'container runtime is closed' },
  /** An image reference cannot be parsed. */
  INVALID_REFERENCE: { code: 'LEDGE_CTRD_INVALID_REFERENCE', kind: 'InvalidArgument', message: 'invalid image reference "{ref}"' },
  /** The registry has no such image/tag, or no manifest for the requested platform. */
  IMAGE_NOT_FOUND: { code: 'LEDGE_CTRD_IMAGE_NOT_FOUND', kind: 'NotFound', message: 'image {ref} not found: {detail}' },
  /** The registry answered with an unexpected status, bad content or a digest mismatch. */
  REGISTRY_FAILED: { code: 'LEDGE_CTRD_REGISTRY_FAILED', kind: 'Unavailable', message: 'registry request for {ref} failed: {detail}' },
  /** The registry refused our credentials (401/403). */
  REGISTRY_UNAUTHORIZED: { code: 'LEDGE_CTRD_REGISTRY_UNAUTHORIZED', kind: 'FailedPrecondition', message: 'registry refused access to {ref}' },
  /** The image is not in the content store or not unpacked (pull it first). */
  IMAGE_NOT_PRESENT: { code: 'LEDGE_CTRD_IMAGE_NOT_PRESENT', kind: 'NotFound', message: 'image {ref} is not pulled' },
  /** No container record with this ID in the namespace. */
  CONTAINER_NOT_FOUND: { code: 'LEDGE_CTRD_CONTAINER_NOT_FOUND', kind: 'NotFound', message: 'container {id} not found' },
  /** The container has no task (never started or removed). */
  TASK_NOT_FOUND: { code: 'LEDGE_CTRD_TASK_NOT_FOUND', kind: 'NotFound', message: 'container {id} has no task' },
  /** The operation needs a running task (or a stopped one for remove without force). */
  TASK_STATE: { code: 'LEDGE_CTRD_TASK_STATE', kind: 'FailedPrecondition', message: 'container {id}: {detail}' },
  /** The task outlived the stop timeout and force was false. */
  STOP_TIMEOUT: { code: 'LEDGE_CTRD_STOP_TIMEOUT', kind: 'FailedPrecondition', message: 'container {id} did not stop within {timeoutMs} ms' },
  /** A container config value cannot be turned into an OCI spec (unknown signal, missing device...). */
  INVALID_CONFIG: { code: 'LEDGE_CTRD_INVALID_CONFIG', kind: 'InvalidArgument', message: 'container {id}: {detail}' },
  /** A CNI plugin or `ip netns` failed while setting up or tearing down container networking. */
  NETWORK_FAILED: { code: 'LEDGE_CTRD_NETWORK_FAILED', kind: 'Internal', message: 'container {id} network: {detail}' },
  /** The operation was aborted through its AbortSignal. */
  ABORTED: { code: 'LEDGE_CTRD_ABORTED', kind: 'FailedPrecondition', message: '{op} aborted' },
  /** A process run in a container (exec, e.g. a health probe) outlived its timeout and was killed. */
  EXEC_TIMEOUT: { code: 'LEDGE_CTRD_EXEC_TIMEOUT', kind: 'FailedPrecondition', message: 'container {id}: {command} did not end within {timeoutMs} ms; killed' },
});

export const CtrdErrorCodes = CtrdErrors.codes;
export type CtrdErrorCode = (typeof CtrdErrorCodes)[keyof typeof CtrdErrorCodes];
type CtrdErrorKey = keyof typeof CtrdErrorCodes;
type CtrdErrorValues = Parameters<typeof CtrdErrors.create<CtrdErrorKey>>[1];

const keyOfCode = new Map(Object.entries(CtrdErrorCodes).map(([key, code]) => [code, key as CtrdErrorKey]));

/** The error of `code`, its template filled from `values` (kept as `details` as well). */
export function ctrdError(code: CtrdErrorCode, values: Record<string, unknown> = {}, cause?: unknown): LedgeError {
  // `code` is chosen at run time (fromGrpc): its placeholders are not known statically; a missing value
  // stays a placeholder in the message.
  return CtrdErrors.create(keyOfCode.get(code) ?? 'INTERNAL', values as CtrdErrorValues, { cause, details: values });
}

/** gRPC status codes (grpc/status.proto), as @grpc/grpc-js's `status` (client.spec.ts checks them), which
 *  is not imported here: this module must not load gRPC, client.ts loads it once containerd's socket exists. */
export const GrpcStatus = Object.freeze({ INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 });

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
