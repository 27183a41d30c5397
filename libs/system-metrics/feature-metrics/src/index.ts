export { createSystemMetrics, systemMetricsEntry, bootRequest } from './system-metrics';
export type { SystemMetricsConfig, SystemMetricsDeps } from './system-metrics';
export { createReporter, intervalScheduler } from './reporter';
export type { MetricsSource, RepeatScheduler, Reporter, ReporterDeps } from './reporter';
