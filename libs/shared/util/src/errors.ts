// Typed errors with stable codes (STYLE.md "Errors"). Classes follow containerd's errdefs so every
// layer can translate foreign errors once, at its boundary, and callers can branch on the kind.
// Codes are never reused; docs/errors.md lists them.

export type ErrorKind =
  | 'InvalidArgument'
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'Unavailable'
  | 'Internal';

export interface LedgeErrorOptions {
  cause?: unknown;
  /** Structured details for logs and error responses (never secrets). */
  details?: Record<string, unknown>;
}

export class LedgeError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: LedgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = `${kind}Error`;
    this.kind = kind;
    this.code = code;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export class InvalidArgumentError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('InvalidArgument', code, message, options);
  }
}
export class NotFoundError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('NotFound', code, message, options);
  }
}
export class AlreadyExistsError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('AlreadyExists', code, message, options);
  }
}
export class FailedPreconditionError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('FailedPrecondition', code, message, options);
  }
}
export class UnavailableError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('Unavailable', code, message, options);
  }
}
export class InternalError extends LedgeError {
  constructor(code: string, message: string, options?: LedgeErrorOptions) {
    super('Internal', code, message, options);
  }
}

export function isLedgeError(err: unknown): err is LedgeError {
  return err instanceof LedgeError;
}

/** Fills `{name}` placeholders of a message template from `values`. */
export function formatMessage(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** Error codes of this library. */
export const UtilErrorCodes = Object.freeze({
  /** A config value (file, env or flag) is wrong; the app exits with code 2. */
  CONFIG_INVALID: 'LEDGE_CONFIG_INVALID',
  /** A config file named explicitly cannot be read. */
  CONFIG_FILE_UNREADABLE: 'LEDGE_CONFIG_FILE_UNREADABLE',
  /** Close did not finish before the deadline; the process exits 1. */
  SHUTDOWN_TIMEOUT: 'LEDGE_SHUTDOWN_TIMEOUT',
});
