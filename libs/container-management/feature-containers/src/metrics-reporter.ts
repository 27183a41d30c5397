// Metrics feature (§3.5): after a `request`, samples every running container at the requested frequency
// and sends a `data` live message; "0s" stops. One request replaces the previous one.
import { availableParallelism } from 'node:os';
import { buildMetricsData, type ContainerRuntime, type ContainerStats, type MetricsData, type MetricsRequest, type StatsSample } from '@ledge/container-management/model-containers';
import { containerFeatureId } from '@ledge/shared/model-ditto';
import { systemScheduler, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';
import type { ContainerManager } from './manager';
import { runtimeIdOf } from './store';

export interface MetricsReporterOptions {
  manager: ContainerManager;
  runtime: ContainerRuntime;
  send: (data: MetricsData) => Promise<void>;
  logger: Logger;
  cpuCount?: number;
  now?: () => number;
  /** The sampling period's timer; default the system's. */
  scheduler?: Scheduler;
}

export interface MetricsReporter {
  apply(request: MetricsRequest): void;
  /** One sampling round (exposed for tests). */
  tick(): Promise<void>;
  readonly active: MetricsRequest | undefined;
  close(): void;
}

export function createMetricsReporter(options: MetricsReporterOptions): MetricsReporter {
  const { manager, runtime, send } = options;
  const log = options.logger.child({ component: 'metrics' });
  const cpuCount = options.cpuCount ?? availableParallelism();
  const now = options.now ?? Date.now;
  const scheduler = options.scheduler ?? systemScheduler;
  const previous = new Map<string, ContainerStats>();
  let active: MetricsRequest | undefined;
  let timer: Timer | undefined;
  let running = false;

  const tick = async () => {
    if (active === undefined || running) return;
    running = true;
    try {
      const samples: StatsSample[] = [];
      const live = manager.list().filter((r) => r.state.status === 'RUNNING' || r.state.status === 'PAUSED');
      for (const r of live) {
        try {
          // Keyed by the engine ID: a recreated container's counters start again from zero.
          const rid = runtimeIdOf(r);
          const current = await runtime.stats(rid);
          const prev = previous.get(rid);
          samples.push({ originator: containerFeatureId(r.id), current, ...(prev ? { previous: prev } : {}) });
          previous.set(rid, current);
        } catch (err) {
          log.debug({ err, containerId: r.id }, 'no stats for container');
        }
      }
      for (const rid of previous.keys()) if (!live.some((r) => runtimeIdOf(r) === rid)) previous.delete(rid);
      const data = active === undefined ? undefined : buildMetricsData(samples, active.filters, now(), cpuCount);
      if (data !== undefined) await send(data);
    } catch (err) {
      log.warn({ err }, 'sending metrics failed');
    } finally {
      running = false;
    }
  };

  const stop = () => {
    timer?.cancel();
    timer = undefined;
    active = undefined;
    previous.clear();
  };

  return {
    get active() {
      return active;
    },
    tick,
    apply(request) {
      stop();
      if (request.frequencyMs === 0) {
        log.info('metrics reporting stopped');
        return;
      }
      active = request;
      timer = scheduler.setInterval(() => void tick(), request.frequencyMs).unref();
      log.info({ frequencyMs: request.frequencyMs, filters: request.filters.length }, 'metrics reporting started');
    },
    close: stop,
  };
}
