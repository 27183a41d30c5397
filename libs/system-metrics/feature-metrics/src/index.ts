export { createSystemMetrics, systemMetricsEntry, bootRequest } from './system-metrics';
export type { SystemMetricsConfig, SystemMetricsDeps } from './system-metrics';
export { createReporter } from './reporter';
export type { MetricsSource, Reporter, ReporterDeps } from './reporter';
export { createPrometheusEndpoint } from './prometheus-endpoint';
export type { PrometheusEndpoint, PrometheusEndpointDeps } from './prometheus-endpoint';
