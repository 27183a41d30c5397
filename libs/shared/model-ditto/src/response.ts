// Responses to cloud requests (§3.1): same topic, `inbox` → `outbox` in the path, same correlation-id,
// content-type application/json when a value is present, and the status.
import type { DittoEnvelope } from './envelope';
import { createDittoError, type DittoErrorCode } from './errors';
import { DittoHeaderNames, getCorrelationId, isResponseRequired, JSON_CONTENT_TYPE, type DittoHeaders } from './headers';
import { toOutboxPath } from './path';

export interface ResponseOptions {
  /** Default 200 when a value is given, else 204. */
  readonly status?: number;
  readonly value?: unknown;
}

export interface ErrorResponseOptions {
  readonly code: DittoErrorCode;
  readonly message: string;
}

export function buildResponse(request: DittoEnvelope, options: ResponseOptions = {}): DittoEnvelope {
  const { value } = options;
  const headers: Record<string, DittoHeaders[string]> = {};
  const correlationId = getCorrelationId(request.headers);
  if (correlationId !== undefined) headers[DittoHeaderNames.correlationId] = correlationId;
  if (value !== undefined) headers[DittoHeaderNames.contentType] = JSON_CONTENT_TYPE;
  const status = options.status ?? (value === undefined ? 204 : 200);
  const base = { topic: request.topic, headers, path: toOutboxPath(request.path) };
  return value === undefined ? { ...base, status } : { ...base, value, status };
}

/** `{"status":400,"error":"messages:parameter.invalid","message":"..."}` with the catalogue's status. */
export function buildErrorResponse(request: DittoEnvelope, options: ErrorResponseOptions): DittoEnvelope {
  const value = createDittoError(options.code, options.message);
  return buildResponse(request, { status: value.status, value });
}

/** §3.1: no response when `response-required` is false or the Hono request ID is empty (one-way). */
export function shouldRespond(request: DittoEnvelope, hasRequestId: boolean): boolean {
  return hasRequestId && isResponseRequired(request.headers);
}
