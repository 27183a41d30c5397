// Errors of the system-metrics model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { InvalidArgumentError, type LedgeError } from '@ledge/shared/util';

export const SystemMetricsErrorCodes = Object.freeze({
  /** A Metrics `request` value is malformed; answered with 400 messages:parameter.invalid, reporting unchanged. */
  REQUEST_INVALID: 'LEDGE_METRICS_REQUEST_INVALID',
} as const);
export type SystemMetricsErrorCode = (typeof SystemMetricsErrorCodes)[keyof typeof SystemMetricsErrorCodes];

export function metricsRequestInvalidError(problems: readonly string[]): LedgeError {
  return new InvalidArgumentError(SystemMetricsErrorCodes.REQUEST_INVALID, `invalid Metrics request: ${problems.join('; ')}`, { details: { problems } });
}
