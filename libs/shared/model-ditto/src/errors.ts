// Ditto error responses (§3.1): protocol errors keep Ditto's own codes and statuses.

export const DittoErrorCodes = Object.freeze({
  parameterInvalid: 'messages:parameter.invalid',
  subjectNotFound: 'messages:subject.notfound',
  executionFailed: 'messages:execution.failed',
} as const);
export type DittoErrorCode = (typeof DittoErrorCodes)[keyof typeof DittoErrorCodes];

/**
 * Every Ditto error code Ledge answers with and the HTTP status Ditto gives it: the device side (the
 * `messages:*` answers of apps, the local twins' `things:*` and `json.*` errors) and the development
 * cloud's Ditto API. One table, so a code never carries two statuses; the texts stay with their users
 * (the device side speaks as Kanto, the development cloud as Ditto's cloud).
 */
export const DittoErrorStatus = Object.freeze({
  'messages:parameter.invalid': 400,
  'messages:subject.notfound': 404,
  'messages:subject.invalid': 400,
  'messages:execution.failed': 500,
  'messages:message.timeout': 408,
  'things:thing.notfound': 404,
  'things:thing.conflict': 409,
  'things:thing.toolarge': 413,
  'things:thing.toomany': 429,
  'things:thing.unavailable': 503,
  'things:id.notsettable': 400,
  'things:id.invalid': 400,
  'things:command.invalid': 400,
  'things:attributes.notfound': 404,
  'things:attribute.notfound': 404,
  'things:definition.notfound': 404,
  'things:policyId.notfound': 404,
  'things:policyId.notdeletable': 400,
  'things:features.notfound': 404,
  'things:feature.notfound': 404,
  'things:feature.definition.notfound': 404,
  'things:feature.properties.notfound': 404,
  'things:feature.property.notfound': 404,
  'things:feature.desiredProperties.notfound': 404,
  'things:feature.desiredProperty.notfound': 404,
  'json.invalid': 400,
  'json.pointer.invalid': 400,
  'json.fieldselector.invalid': 400,
  'timeout.invalid': 400,
  'request.toolarge': 413,
  'gateway:authentication.failed': 401,
  'gateway:resource.notfound': 404,
  'gateway:method.notallowed': 405,
} as const satisfies Record<string, number>);
/** A code of the table above. */
export type KnownDittoErrorCode = keyof typeof DittoErrorStatus;

/** The `value` of an error response: `{"status":400,"error":"messages:parameter.invalid","message":"..."}`. */
export interface DittoErrorValue {
  readonly status: number;
  readonly error: string;
  readonly message: string;
  readonly description?: string;
}

export function createDittoError(code: DittoErrorCode, message: string): DittoErrorValue {
  return dittoError(code, message);
}

/** `{"status":404,"error":"things:thing.notfound","message":"…","description":"…"}` with the table's status. */
export function dittoError(code: KnownDittoErrorCode, message: string, description?: string): DittoErrorValue {
  const value = { status: DittoErrorStatus[code], error: code, message };
  return description === undefined ? value : { ...value, description };
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
