// The Prometheus endpoint's text (exposition format 0.0.4): the gateway's figures as the Metrics feature
// reports them, and what the local bus says about Ledge itself (each app's retained health, the cloud link
// and the connector's outbox). Pure: the feature gathers the input and serves the text.
import type { AppHealth, ConnectionStatus } from '@ledge/shared/model-edge';

export interface PrometheusInput {
  /** System CPU busy share since the previous scrape, percent; absent on the first. */
  readonly cpuUtilization?: number;
  readonly load?: { readonly load1: number; readonly load5: number; readonly load15: number };
  readonly memory?: { readonly totalBytes: number; readonly availableBytes: number; readonly usedBytes: number };
  /** By app name: the last `edge/health/<app>` seen. */
  readonly apps: ReadonlyMap<string, AppHealth>;
  /** The last `edge/connection/remote/status` seen. */
  readonly link?: ConnectionStatus;
}

/** Label values: backslash, double quote and line feed escaped, as the format asks. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** Stat names from the bus become label values, never metric names: untrusted text stays in quotes. */
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

class Lines {
  readonly out: string[] = [];
  family(name: string, type: 'gauge' | 'counter', help: string, samples: readonly [Readonly<Record<string, string>>, number][]): void {
    if (samples.length === 0) return;
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const ls = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`);
      this.out.push(`${name}${ls.length > 0 ? `{${ls.join(',')}}` : ''} ${num(value)}`);
    }
  }
}

export function renderPrometheus(input: PrometheusInput): string {
  const l = new Lines();
  const one = (v: number | undefined): [Record<string, string>, number][] => (v === undefined ? [] : [[{}, v]]);
  l.family('ledge_system_cpu_utilization_percent', 'gauge', 'Share of all CPUs busy since the previous scrape (Metrics cpu.utilization).', one(input.cpuUtilization));
  if (input.load) {
    l.family('ledge_system_load1', 'gauge', 'Load average over 1 minute (cpu.load1).', one(input.load.load1));
    l.family('ledge_system_load5', 'gauge', 'Load average over 5 minutes (cpu.load5).', one(input.load.load5));
    l.family('ledge_system_load15', 'gauge', 'Load average over 15 minutes (cpu.load15).', one(input.load.load15));
  }
  if (input.memory) {
    l.family('ledge_system_memory_total_bytes', 'gauge', 'Memory in total (memory.total).', one(input.memory.totalBytes));
    l.family('ledge_system_memory_available_bytes', 'gauge', 'Memory available without swapping (memory.available).', one(input.memory.availableBytes));
    l.family('ledge_system_memory_used_bytes', 'gauge', 'Memory used: total - available (memory.used).', one(input.memory.usedBytes));
  }
  const apps = [...input.apps].sort(([a], [b]) => a.localeCompare(b));
  l.family('ledge_app_up', 'gauge', 'Whether the Ledge app says it is up on edge/health/<app> (0 after a stop or its Last Will).', apps.map(([app, h]) => [{ app }, h.status === 'up' ? 1 : 0]));
  l.family('ledge_app_since_seconds', 'gauge', 'Unix time the app came up (or stopped, when down).', apps.map(([app, h]) => [{ app }, h.since]));
  l.family('ledge_app_restarts_total', 'counter', 'Restarts of the app by its supervisor (ledge run --processes), where reported.', apps.filter(([, h]) => h.restarts !== undefined).map(([app, h]) => [{ app }, h.restarts!]));
  l.family(
    'ledge_app_stat',
    'gauge',
    'An app\'s own counters as of its last health message (the broker: clients, sessions, queued).',
    apps.flatMap(([app, h]) => Object.entries(h.stats ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([stat, v]): [Record<string, string>, number] => [{ app, stat }, v])),
  );
  if (input.link) {
    l.family('ledge_cloud_connected', 'gauge', 'Whether the connector is linked to the cloud (edge/connection/remote/status).', one(input.link.connected ? 1 : 0));
    if (input.link.outbox) {
      l.family('ledge_outbox_depth', 'gauge', 'Messages in the connector\'s durable outbox waiting for the cloud.', one(input.link.outbox.depth));
      l.family('ledge_outbox_oldest_age_seconds', 'gauge', 'Age of the oldest message in the outbox.', one(input.link.outbox.oldestAgeMs / 1000));
    }
  }
  return l.out.length > 0 ? `${l.out.join('\n')}\n` : '';
}

export type PrometheusAddress = { readonly host: string; readonly port: number };

/** Config `prometheus`: '' = off, `PORT` = loopback, `HOST:PORT` (IPv6 in brackets; port 0 = any free one). Returns a problem as a string. */
export function parsePrometheusAddress(v: unknown): PrometheusAddress | undefined | string {
  if (v === '' || v === undefined) return undefined;
  if (typeof v !== 'string') return 'must be a port or host:port';
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) return 'must be a port (loopback) or host:port, e.g. 9464 or 127.0.0.1:9464';
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}
