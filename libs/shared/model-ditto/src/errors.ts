// Ditto error responses (§3.1): protocol errors keep Ditto's own codes and statuses.

export const DittoErrorCodes = Object.freeze({
  parameterInvalid: 'messages:parameter.invalid',
  subjectNotFound: 'messages:subject.notfound',
  executionFailed: 'messages:execution.failed',
} as const);
export type DittoErrorCode = (typeof DittoErrorCodes)[keyof typeof DittoErrorCodes];

export const DittoErrorStatus: Readonly<Record<DittoErrorCode, number>> = Object.freeze({
  'messages:parameter.invalid': 400,
  'messages:subject.notfound': 404,
  'messages:execution.failed': 500,
});

/** The `value` of an error response: `{"status":400,"error":"messages:parameter.invalid","message":"..."}`. */
export interface DittoErrorValue {
  readonly status: number;
  readonly error: string;
  readonly message: string;
  readonly description?: string;
}

export function createDittoError(code: DittoErrorCode, message: string): DittoErrorValue {
  return { status: DittoErrorStatus[code], error: code, message };
}

/** Recognises an error value in a received response (e.g. from the cloud). */
export function isDittoErrorValue(value: unknown): value is DittoErrorValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    Number.isInteger(v['status']) &&
    typeof v['error'] === 'string' &&
    typeof v['message'] === 'string' &&
    (v['description'] === undefined || typeof v['description'] === 'string')
  );
}
