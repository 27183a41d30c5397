// ledge-system-metrics: Kanto's Metrics feature (CPU, load, memory, processes from /proc). Config: /etc/ledge/system-metrics.json < LEDGE_SYSTEM_METRICS_* < flags (README).
import { main } from '@ledge/shared/util';
import { systemMetricsEntry } from '@ledge/system-metrics/feature-metrics';

void main(systemMetricsEntry);
