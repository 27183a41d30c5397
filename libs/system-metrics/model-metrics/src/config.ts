// The system-metrics config: Kanto's keys (frequency and filter start reporting at boot, off by default)
// and the shared local bus settings, plus Ledge's Prometheus endpoint. The README table is generated from it.
import { defineConfig, localBusSpec } from '@ledge/shared/util';
import { parsePrometheusAddress } from './prometheus';
import { parseFrequency, parseMetricsRequest } from './request';

export const systemMetricsSpec = defineConfig({
  frequency: {
    type: 'string',
    default: '0s',
    describe: 'report at boot this often (Go duration, e.g. 5s; at least 1s); 0s = only when the cloud sends a request (Kanto\'s default)',
    validate: (v: unknown) => {
      const f = parseFrequency(v);
      return typeof f === 'string' ? f : undefined;
    },
  },
  filter: {
    type: 'json',
    default: [] as unknown[],
    describe: 'what the boot-time reports hold, as a request\'s filter: [{"id": ["cpu.*"], "originator": "SYSTEM" | "<process name>"}]; empty = SYSTEM cpu.utilization and memory.utilization',
    validate: (v: unknown) => {
      const r = parseMetricsRequest({ frequency: '1s', filter: v });
      return r.ok ? undefined : r.problems.join('; ');
    },
  },
  prometheus: {
    type: 'string',
    default: '',
    describe: 'serve the system figures, every Ledge app\'s health and the cloud link in Prometheus text format at http://<here>/metrics: a port (loopback only) or host:port; empty = off',
    validate: (v: unknown) => {
      const a = parsePrometheusAddress(v);
      return typeof a === 'string' ? a : undefined;
    },
  },
  ...localBusSpec,
});

export type SystemMetricsSpec = typeof systemMetricsSpec;
