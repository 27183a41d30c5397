// Errors of the system-metrics model (STYLE.md "Errors"): stable codes, never reused, listed in docs/errors.md.
import { defineErrors, type LedgeError } from '@ledge/shared/util';

const SystemMetricsErrors = defineErrors({
  /** A Metrics `request` value is malformed; answered with 400 messages:parameter.invalid, reporting unchanged. */
  REQUEST_INVALID: { code: 'LEDGE_METRICS_REQUEST_INVALID', kind: 'InvalidArgument', message: 'invalid Metrics request: {problems}' },
});

export const SystemMetricsErrorCodes = SystemMetricsErrors.codes;
export type SystemMetricsErrorCode = (typeof SystemMetricsErrorCodes)[keyof typeof SystemMetricsErrorCodes];

export function metricsRequestInvalidError(problems: readonly string[]): LedgeError {
  return SystemMetricsErrors.create('REQUEST_INVALID', { problems: problems.join('; ') }, { details: { problems } });
}
