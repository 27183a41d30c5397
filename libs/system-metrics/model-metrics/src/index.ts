export {
  SYSTEM_ORIGINATOR,
  SystemMeasurementIds,
  ProcessMeasurementIds,
  MIN_FREQUENCY_MS,
  STOPPED,
  parseFrequency,
  parseMetricsRequest,
  normalizeRequest,
  wants,
  processOriginators,
  describeRequest,
} from './request';
export type { MeasurementId, MetricsFilter, MetricsRequest, ParsedRequest } from './request';
export { buildMetricData, cpuUtilization, processCpuUtilization, sampleNeeds } from './snapshot';
export type { CpuTimes, ProcessCounters, Sample, Measurement, OriginatorMeasurements, MetricData } from './snapshot';
export { METRICS_FEATURE_ID, METRICS_DEFINITION, METRICS_REQUEST, METRICS_DATA } from './feature';
export { systemMetricsSpec } from './config';
export type { SystemMetricsSpec } from './config';
export { SystemMetricsErrorCodes, metricsRequestInvalidError } from './errors';
export type { SystemMetricsErrorCode } from './errors';
export { renderPrometheus, parsePrometheusAddress } from './prometheus';
export type { PrometheusInput, PrometheusAddress } from './prometheus';
