// The `data` outbox message: one snapshot of the asked-for measurements, computed from two samples of
// the kernel's counters (utilisation is a rate: the change between the previous sample and this one).
// Pure: the feature reads /proc and hands the samples in.
import { SYSTEM_ORIGINATOR, wants, type MetricsRequest } from './request';

export interface CpuTimes {
  readonly total: number;
  readonly idle: number;
}

export interface ProcessCounters {
  readonly pid: number;
  /** utime + stime, clock ticks. */
  readonly cpuTicks: number;
  readonly rssBytes: number;
  readonly readBytes?: number;
  readonly writeBytes?: number;
}

export interface Sample {
  /** Monotonic ms, for rates. */
  readonly atMs: number;
  readonly cpu?: CpuTimes;
  readonly load?: { readonly load1: number; readonly load5: number; readonly load15: number };
  readonly memory?: { readonly totalBytes: number; readonly availableBytes: number; readonly usedBytes: number };
  /** By process name (the request's originators found running). */
  readonly processes: ReadonlyMap<string, ProcessCounters>;
}

export interface Measurement {
  readonly id: string;
  readonly value: number;
}

export interface OriginatorMeasurements {
  readonly originator: string;
  readonly measurements: readonly Measurement[];
}

/** Kanto's MetricData: `timestamp` in Unix seconds. */
export interface MetricData {
  readonly timestamp: number;
  readonly snapshot: readonly OriginatorMeasurements[];
}

const pct = (v: number) => Math.round(Math.min(Math.max(v, 0), 1e6) * 100) / 100;

/** System CPU busy share between two samples, percent of all CPUs; undefined without a usable interval. */
export function cpuUtilization(previous: CpuTimes | undefined, current: CpuTimes | undefined): number | undefined {
  if (!previous || !current) return undefined;
  const total = current.total - previous.total;
  const idle = current.idle - previous.idle;
  if (total <= 0 || idle < 0) return undefined; // counters reset (a VM restored) or no tick elapsed
  return pct((1 - idle / total) * 100);
}

/** A process's CPU share between two samples, percent of one CPU (like top; may exceed 100 on several cores). */
export function processCpuUtilization(previous: ProcessCounters | undefined, current: ProcessCounters, elapsedMs: number, clockTicks: number): number | undefined {
  if (!previous || previous.pid !== current.pid || elapsedMs <= 0) return undefined; // another process now has the name
  const ticks = current.cpuTicks - previous.cpuTicks;
  if (ticks < 0) return undefined;
  return pct((ticks / clockTicks / (elapsedMs / 1000)) * 100);
}

/**
 * The snapshot Kanto's system-metrics sends: SYSTEM first, then each asked-for process that runs, each
 * with the asked-for measurements that could be taken; originators without any are left out.
 */
export function buildMetricData(request: MetricsRequest, previous: Sample | undefined, current: Sample, timestampS: number, clockTicks: number): MetricData {
  const snapshot: OriginatorMeasurements[] = [];
  const system: Measurement[] = [];
  const add = (list: Measurement[], originator: string, id: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value) && wants(request, originator, id)) list.push({ id, value });
  };
  add(system, SYSTEM_ORIGINATOR, 'cpu.utilization', cpuUtilization(previous?.cpu, current.cpu));
  add(system, SYSTEM_ORIGINATOR, 'cpu.load1', current.load?.load1);
  add(system, SYSTEM_ORIGINATOR, 'cpu.load5', current.load?.load5);
  add(system, SYSTEM_ORIGINATOR, 'cpu.load15', current.load?.load15);
  const mem = current.memory;
  add(system, SYSTEM_ORIGINATOR, 'memory.total', mem?.totalBytes);
  add(system, SYSTEM_ORIGINATOR, 'memory.available', mem?.availableBytes);
  add(system, SYSTEM_ORIGINATOR, 'memory.used', mem?.usedBytes);
  add(system, SYSTEM_ORIGINATOR, 'memory.utilization', mem && mem.totalBytes > 0 ? pct((mem.usedBytes / mem.totalBytes) * 100) : undefined);
  if (system.length > 0) snapshot.push({ originator: SYSTEM_ORIGINATOR, measurements: system });
  const elapsed = previous ? current.atMs - previous.atMs : 0;
  for (const [name, p] of current.processes) {
    const list: Measurement[] = [];
    add(list, name, 'cpu.utilization', processCpuUtilization(previous?.processes.get(name), p, elapsed, clockTicks));
    add(list, name, 'memory.utilization', mem && mem.totalBytes > 0 ? pct((p.rssBytes / mem.totalBytes) * 100) : undefined);
    add(list, name, 'io.readBytes', p.readBytes);
    add(list, name, 'io.writeBytes', p.writeBytes);
    if (list.length > 0) snapshot.push({ originator: name, measurements: list });
  }
  return { timestamp: timestampS, snapshot };
}

/** What must be read from /proc for a request (nothing not asked for). */
export function sampleNeeds(request: MetricsRequest, processes: readonly string[]): { cpu: boolean; load: boolean; memory: boolean } {
  const sys = (id: string) => wants(request, SYSTEM_ORIGINATOR, id);
  const procMem = processes.some((p) => wants(request, p, 'memory.utilization'));
  return {
    cpu: sys('cpu.utilization'),
    load: sys('cpu.load1') || sys('cpu.load5') || sys('cpu.load15'),
    memory: procMem || ['memory.total', 'memory.available', 'memory.used', 'memory.utilization'].some(sys),
  };
}
