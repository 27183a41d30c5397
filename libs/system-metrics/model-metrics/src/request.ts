// Kanto's system-metrics `request` (the Metrics feature's inbox message, also the app's config keys
// `frequency` and `filter`): how often to report which measurements of which originators. Pure.
import { MAX_TIMER_MS, parseGoDuration } from '@ledge/shared/util';

/** The originator of the gateway-wide measurements; any other originator names a process. */
export const SYSTEM_ORIGINATOR = 'SYSTEM';

export const SystemMeasurementIds = Object.freeze([
  'cpu.utilization',
  'cpu.load1',
  'cpu.load5',
  'cpu.load15',
  'memory.total',
  'memory.available',
  'memory.used',
  'memory.utilization',
] as const);

export const ProcessMeasurementIds = Object.freeze(['cpu.utilization', 'memory.utilization', 'io.readBytes', 'io.writeBytes'] as const);

export type MeasurementId = (typeof SystemMeasurementIds)[number] | (typeof ProcessMeasurementIds)[number];

export interface MetricsFilter {
  /** Measurement IDs, exact or with a trailing `*` (a prefix: `cpu.*`, `memory.*`); empty = all of the originator's. */
  readonly ids: readonly string[];
  /** `SYSTEM` or a process name. */
  readonly originator: string;
}

export interface MetricsRequest {
  /** 0 = stop reporting. */
  readonly frequencyMs: number;
  /** Normalised as Kanto does: none given → SYSTEM cpu.utilization and memory.utilization; an empty originator → SYSTEM. */
  readonly filters: readonly MetricsFilter[];
}

/** Reporting faster than this is refused: every report reads /proc and goes to the cloud. */
export const MIN_FREQUENCY_MS = 1000;
/** A process originator is a process name (the kernel's comm is 15 characters; cmdline names may be longer). */
const MAX_ORIGINATOR = 256;
const MAX_FILTERS = 64;
const MAX_IDS = 64;

export type ParsedRequest = { readonly ok: true; readonly request: MetricsRequest } | { readonly ok: false; readonly problems: readonly string[] };

export const STOPPED: MetricsRequest = Object.freeze({ frequencyMs: 0, filters: Object.freeze([]) });

/** `frequency`: Go duration string ("5s", "1m") or a number of seconds, as Kanto's request decoder takes. */
export function parseFrequency(v: unknown): number | string {
  let ms: number | undefined;
  if (typeof v === 'number') ms = Number.isFinite(v) ? v * 1000 : undefined;
  else if (typeof v === 'string') ms = parseGoDuration(v) ?? (/^-\d/.test(v.trim()) ? -1 : undefined);
  else return 'must be a duration string like "5s" or a number of seconds';
  if (ms === undefined) return `invalid duration ${JSON.stringify(v)} (e.g. "5s", "1m", or seconds as a number)`;
  if (ms <= 0) return 0;
  if (ms < MIN_FREQUENCY_MS) return `must be at least ${MIN_FREQUENCY_MS / 1000}s (or 0 to stop)`;
  if (ms > MAX_TIMER_MS) return 'must be at most 596h';
  return Math.round(ms);
}

function parseFilter(item: unknown, i: number, problems: string[]): MetricsFilter | undefined {
  const where = `filter[${i}]`;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    problems.push(`${where} must be an object {"id": [...], "originator": "..."}`);
    return undefined;
  }
  const o = item as Record<string, unknown>;
  let ids: string[] = [];
  if (o['id'] !== undefined && o['id'] !== null) {
    if (!Array.isArray(o['id']) || !o['id'].every((x) => typeof x === 'string' && x.length > 0 && x.length <= 128)) {
      problems.push(`${where}.id must be an array of measurement IDs (e.g. "cpu.utilization", "memory.*")`);
    } else if (o['id'].length > MAX_IDS) problems.push(`${where}.id has more than ${MAX_IDS} entries`);
    else ids = o['id'] as string[];
  }
  let originator = SYSTEM_ORIGINATOR;
  if (o['originator'] !== undefined && o['originator'] !== null) {
    const v = o['originator'];
    if (typeof v !== 'string' || v.length > MAX_ORIGINATOR || /[\0/]/.test(v)) problems.push(`${where}.originator must be "SYSTEM" or a process name`);
    else if (v !== '') originator = v;
  }
  return { ids, originator };
}

/** A request value (untrusted). Without frequency, or with frequency ≤ 0, reporting stops. */
export function parseMetricsRequest(value: unknown): ParsedRequest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problems: ['the request must be an object {"frequency": "5s", "filter": [...]}'] };
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  let frequencyMs = 0;
  if (v['frequency'] !== undefined && v['frequency'] !== null) {
    const f = parseFrequency(v['frequency']);
    if (typeof f === 'string') problems.push(`frequency ${f}`);
    else frequencyMs = f;
  }
  const filters: MetricsFilter[] = [];
  if (v['filter'] !== undefined && v['filter'] !== null) {
    if (!Array.isArray(v['filter'])) problems.push('filter must be an array of {"id": [...], "originator": "..."}');
    else if (v['filter'].length > MAX_FILTERS) problems.push(`filter has more than ${MAX_FILTERS} entries`);
    else v['filter'].forEach((item, i) => {
      const f = parseFilter(item, i, problems);
      if (f) filters.push(f);
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, request: normalizeRequest({ frequencyMs, filters }) };
}

/** Kanto's normalisation: stopped → no filters; no filter → the SYSTEM utilisations. */
export function normalizeRequest(r: MetricsRequest): MetricsRequest {
  if (r.frequencyMs <= 0) return STOPPED;
  if (r.filters.length > 0) return r;
  return { frequencyMs: r.frequencyMs, filters: [{ ids: ['cpu.utilization', 'memory.utilization'], originator: SYSTEM_ORIGINATOR }] };
}

/** An ID pattern matches exactly, or with a trailing `*` as a prefix (`cpu.*` matches `cpu.load1`). */
function idMatches(pattern: string, id: string): boolean {
  return pattern === id || (pattern.endsWith('*') && id.startsWith(pattern.replace(/\*+$/, '')));
}

/** Whether measurement `id` of `originator` is asked for. */
export function wants(request: MetricsRequest, originator: string, id: string): boolean {
  return request.filters.some((f) => f.originator === originator && (f.ids.length === 0 || f.ids.some((p) => idMatches(p, id))));
}

/** The process names the request asks about (every originator but SYSTEM), each once. */
export function processOriginators(request: MetricsRequest): string[] {
  return [...new Set(request.filters.map((f) => f.originator).filter((o) => o !== SYSTEM_ORIGINATOR))];
}

/** The request as reported back (feature property, status): frequency as a Go duration string. */
export function describeRequest(r: MetricsRequest): { frequency: string; filter: { id: string[]; originator: string }[] } {
  return { frequency: `${r.frequencyMs / 1000}s`, filter: r.filters.map((f) => ({ id: [...f.ids], originator: f.originator })) };
}
