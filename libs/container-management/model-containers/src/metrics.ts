// Metrics feature (§3.5): `request` parsing and `data` message building from runtime stats samples.
import { parseGoDuration } from '@ledge/shared/util';
import type { Parsed } from './ditto-config';
import { FieldReader } from './reader';
import type { ContainerStats } from './runtime';

export const MIN_METRICS_FREQUENCY_MS = 1000;

export const MeasurementIds = Object.freeze([
  'cpu.utilization',
  'memory.utilization',
  'memory.total',
  'memory.used',
  'io.readBytes',
  'io.writeBytes',
  'net.readBytes',
  'net.writeBytes',
  'pids',
] as const);

export interface MetricsFilter {
  /** Wildcard patterns on measurement IDs; empty = all. */
  ids: string[];
  /** Wildcard pattern on the originator; undefined = all. */
  originator?: string;
}

export interface MetricsRequest {
  /** 0 = stop reporting; otherwise ≥ 1000. */
  frequencyMs: number;
  filters: MetricsFilter[];
}

export function parseMetricsRequest(value: unknown): Parsed<MetricsRequest> {
  const r = new FieldReader();
  const v = r.object(value, 'value');
  if (v === undefined) {
    if (r.problems.length === 0) r.problem('value', 'must be an object with frequency');
    return { ok: false, problems: r.problems };
  }
  const f = r.string(v['frequency'], 'frequency');
  let frequencyMs = 0;
  if (f === undefined) {
    if (r.problems.length === 0) r.problem('frequency', 'is required');
  } else {
    const ms = parseGoDuration(f);
    if (ms === undefined || ms < 0) r.problem('frequency', `invalid duration '${f}' (e.g. 2s, 500ms, 1m)`);
    else frequencyMs = ms === 0 ? 0 : Math.max(MIN_METRICS_FREQUENCY_MS, Math.round(ms));
  }
  const filters: MetricsFilter[] = [];
  const list = r.array(v['filter'], 'filter') ?? [];
  list.forEach((item, i) => {
    const o = r.object(item, `filter[${i}]`);
    if (!o) return;
    const ids = r.strings(o['id'], `filter[${i}].id`) ?? [];
    const originator = r.string(o['originator'], `filter[${i}].originator`);
    filters.push({ ids, ...(originator ? { originator } : {}) });
  });
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, value: { frequencyMs, filters } };
}

/** `*` matches any run of characters; everything else literally. */
export function wildcardMatches(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(s);
}

export function measurementSelected(filters: readonly MetricsFilter[], originator: string, id: string): boolean {
  if (filters.length === 0) return true;
  return filters.some(
    (f) => (f.originator === undefined || wildcardMatches(f.originator, originator)) && (f.ids.length === 0 || f.ids.some((p) => wildcardMatches(p, id))),
  );
}

export interface StatsSample {
  originator: string;
  current: ContainerStats;
  /** The previous sample of the same container, for CPU utilisation; absent on the first round. */
  previous?: ContainerStats;
}

/** Measurements of one container; CPU utilisation = share of all host CPUs over the interval, in %. */
export function measurementsOf(s: StatsSample, cpuCount: number): { id: string; value: number }[] {
  const c = s.current;
  const out: { id: string; value: number }[] = [];
  if (s.previous !== undefined && c.timestamp > s.previous.timestamp) {
    const cpu = Math.max(0, c.cpuNanos - s.previous.cpuNanos);
    const wallNs = (c.timestamp - s.previous.timestamp) * 1e6 * Math.max(1, cpuCount);
    out.push({ id: 'cpu.utilization', value: round2((cpu / wallNs) * 100) });
  }
  if (c.memoryTotalBytes > 0) out.push({ id: 'memory.utilization', value: round2((c.memoryUsedBytes / c.memoryTotalBytes) * 100) });
  out.push(
    { id: 'memory.total', value: c.memoryTotalBytes },
    { id: 'memory.used', value: c.memoryUsedBytes },
    { id: 'io.readBytes', value: c.ioReadBytes },
    { id: 'io.writeBytes', value: c.ioWriteBytes },
    { id: 'net.readBytes', value: c.netReadBytes },
    { id: 'net.writeBytes', value: c.netWriteBytes },
    { id: 'pids', value: c.pids },
  );
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface MetricsData {
  /** Unix seconds (Kanto's CM stamps seconds, §3.5). */
  timestamp: number;
  snapshot: { originator: string; measurements: { id: string; value: number }[] }[];
}

/** The `data` message value, or undefined when the filters select nothing (no message is sent then). */
export function buildMetricsData(samples: readonly StatsSample[], filters: readonly MetricsFilter[], nowMs: number, cpuCount: number): MetricsData | undefined {
  const snapshot = samples
    .map((s) => ({ originator: s.originator, measurements: measurementsOf(s, cpuCount).filter((m) => measurementSelected(filters, s.originator, m.id)) }))
    .filter((x) => x.measurements.length > 0);
  if (snapshot.length === 0) return undefined;
  return { timestamp: Math.floor(nowMs / 1000), snapshot };
}
