// The reporting loop: one request at a time (a new one replaces it, frequency 0 stops it). A baseline
// sample is taken when a request starts, so the first report already has rates; a tick that comes while
// the previous sample is still being read is skipped rather than queued (a slow /proc read on a loaded
// gateway must not pile up reads). Collaborators (source, clock, scheduler, sink) are injected.
import {
  buildMetricData,
  processOriginators,
  sampleNeeds,
  STOPPED,
  type MetricData,
  type MetricsRequest,
  type ProcessCounters,
  type Sample,
} from '@ledge/system-metrics/model-metrics';
import { systemClock, systemScheduler, type Clock, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';

/** What the reporter reads (the /proc reader of @ledge/system-metrics/data-access-proc by default). */
export interface MetricsSource {
  cpu(): Promise<{ total: number; idle: number }>;
  load(): Promise<{ load1: number; load5: number; load15: number }>;
  memory(): Promise<{ totalBytes: number; availableBytes: number; usedBytes: number }>;
  processesNamed(names: readonly string[]): Promise<Map<string, ProcessCounters>>;
}

export interface ReporterDeps {
  readonly source: MetricsSource;
  readonly send: (data: MetricData, correlationId: string | undefined) => Promise<void>;
  /** The reporting loop's interval; default the system's. */
  readonly scheduler?: Scheduler;
  /** `now` for the report timestamp, `monotonic` for rates; default the system's. */
  readonly clock?: Clock;
  readonly clockTicks: number;
  readonly logger: Logger;
}

export interface Reporter {
  readonly request: MetricsRequest;
  /** Replaces the running request (frequency 0 stops); resolves once the baseline sample is taken. */
  set(request: MetricsRequest, correlationId?: string): Promise<void>;
  /** Reports sent and ticks skipped (a sample still running, or nothing readable). */
  readonly counters: { readonly sent: number; readonly skipped: number; readonly failed: number };
  close(): Promise<void>;
}

export function createReporter(deps: ReporterDeps): Reporter {
  const log = deps.logger.child({ component: 'metrics-reporter' });
  const scheduler = deps.scheduler ?? systemScheduler;
  const clock = deps.clock ?? systemClock;
  const counters = { sent: 0, skipped: 0, failed: 0 };
  let request: MetricsRequest = STOPPED;
  let correlation: string | undefined;
  let loop: Timer | undefined;
  let previous: Sample | undefined;
  let busy: Promise<void> | undefined;
  let generation = 0;
  let lastWarn = -Infinity;
  let closed = false;

  async function sample(r: MetricsRequest): Promise<Sample> {
    const names = processOriginators(r);
    const need = sampleNeeds(r, names);
    const [cpu, load, memory, processes] = await Promise.all([
      need.cpu ? deps.source.cpu() : undefined,
      need.load ? deps.source.load() : undefined,
      need.memory ? deps.source.memory() : undefined,
      names.length > 0 ? deps.source.processesNamed(names) : new Map<string, ProcessCounters>(),
    ]);
    return { atMs: clock.monotonic(), ...(cpu ? { cpu } : {}), ...(load ? { load } : {}), ...(memory ? { memory } : {}), processes };
  }

  function warn(err: unknown, msg: string): void {
    counters.failed++;
    if (clock.monotonic() - lastWarn < 60_000) return; // a broken /proc must not flood the journal once a second
    lastWarn = clock.monotonic();
    log.warn({ err, failed: counters.failed }, msg);
  }

  async function tick(gen: number): Promise<void> {
    const r = request;
    let current: Sample;
    try {
      current = await sample(r);
    } catch (err) {
      warn(err, 'cannot read the measurements; this report is skipped');
      return;
    }
    if (gen !== generation) return; // replaced while reading
    const data = buildMetricData(r, previous, current, Math.floor(clock.now() / 1000), deps.clockTicks);
    previous = current;
    if (data.snapshot.length === 0) {
      counters.skipped++;
      return;
    }
    try {
      await deps.send(data, correlation);
      counters.sent++;
    } catch (err) {
      warn(err, 'cannot send a metrics report');
    }
  }

  function onTick(gen: number): void {
    if (busy) {
      counters.skipped++;
      return;
    }
    busy = tick(gen).finally(() => (busy = undefined));
  }

  return {
    get request() {
      return request;
    },
    counters,
    async set(next, correlationId) {
      if (closed) return;
      loop?.cancel();
      loop = undefined;
      generation++;
      request = next;
      correlation = correlationId;
      previous = undefined;
      if (next.frequencyMs <= 0) {
        log.info('metrics reporting stopped');
        return;
      }
      const gen = generation;
      try {
        previous = await sample(next); // the baseline for the first report's rates
      } catch (err) {
        warn(err, 'cannot read the measurements for the baseline');
      }
      if (gen !== generation || closed) return;
      loop = scheduler.setInterval(() => onTick(gen), next.frequencyMs);
      log.info({ frequencyMs: next.frequencyMs, filters: next.filters }, 'metrics reporting started');
    },
    async close() {
      closed = true;
      generation++;
      loop?.cancel();
      loop = undefined;
      await busy;
    },
  };
}
