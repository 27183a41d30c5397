export { createSystemMetrics, systemMetricsEntry, bootRequest } from './system-metrics';
export type { SystemMetricsConfig, SystemMetricsDeps } from './system-metrics';
export { createReporter, intervalScheduler } from './reporter';
export type { MetricsSource, RepeatScheduler, Reporter, ReporterDeps } from './reporter';
export { createPrometheusEndpoint } from './prometheus-endpoint';
export type { PrometheusEndpoint, PrometheusEndpointDeps } from './prometheus-endpoint';
