// The system-metrics app: Kanto's Metrics feature on the gateway thing. Local bus → Ditto agent (identity,
// inbox `request`) → reporter (samples /proc, sends outbox `data`). The feature is registered whenever the
// thing identity becomes known or changes; the config's frequency/filter start reporting at boot.
import { randomBytes } from 'node:crypto';
import { createDittoAgent, createLocalBusClient, localBusClientOptions, withHealth, type LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { CLOCK_TICKS_PER_SECOND, createProcReader } from '@ledge/system-metrics/data-access-proc';
import {
  describeRequest,
  METRICS_DATA,
  METRICS_DEFINITION,
  METRICS_FEATURE_ID,
  METRICS_REQUEST,
  metricsRequestInvalidError,
  parseMetricsRequest,
  parsePrometheusAddress,
  systemMetricsSpec,
  type MetricsRequest,
  type SystemMetricsSpec,
} from '@ledge/system-metrics/model-metrics';
import { ConfigError, createCloser, kantoLocalBusAliases, type App, type AppEntry, type Clock, type ConfigOf, type Logger, type Scheduler, type WithCommon } from '@ledge/shared/util';
import { createPrometheusEndpoint } from './prometheus-endpoint';
import { createReporter, type MetricsSource } from './reporter';

export type SystemMetricsConfig = ConfigOf<WithCommon<SystemMetricsSpec>>;

export interface SystemMetricsDeps {
  /** Called with the Prometheus endpoint once it listens (tests bind port 0). */
  readonly onPrometheus?: (address: { host: string; port: number }) => void;
  readonly logger: Logger;
  /** The local bus; default a client for the config's local bus settings. */
  readonly bus?: LocalBusClient;
  /** Default: /proc. */
  readonly source?: MetricsSource;
  /** The reporting loop's interval; default the system's. */
  readonly scheduler?: Scheduler;
  /** Report timestamps (`now`) and rates (`monotonic`); default the system's. */
  readonly clock?: Clock;
}

/** The config's frequency and filter as a request (validated by the spec already). */
export function bootRequest(config: Pick<SystemMetricsConfig, 'frequency' | 'filter'>): MetricsRequest {
  const r = parseMetricsRequest({ frequency: config.frequency, filter: config.filter });
  if (!r.ok) throw new ConfigError(`config keys frequency/filter: ${r.problems.join('; ')}`, { key: 'filter' });
  return r.request;
}

export function createSystemMetrics(config: SystemMetricsConfig, deps: SystemMetricsDeps): App {
  const log = deps.logger.child({ component: 'system-metrics' });
  const initial = bootRequest(config);
  const bus =
    deps.bus ??
    createLocalBusClient({
      ...localBusClientOptions(config),
      clientId: `ledge-system-metrics-${randomBytes(4).toString('hex')}`,
      backoff: { initialMs: 1000, maxMs: 5000 },
      logger: deps.logger,
    });
  const agent = createDittoAgent({ bus, logger: deps.logger, thingSuffix: '' });
  const source = deps.source ?? createProcReader();
  const promAddress = parsePrometheusAddress(config.prometheus);
  if (typeof promAddress === 'string') throw new ConfigError(`config key 'prometheus': ${promAddress}`, { key: 'prometheus' });
  const prometheus = promAddress ? createPrometheusEndpoint({ address: promAddress, bus, source, logger: deps.logger }) : undefined;
  const reporter = createReporter({
    source,
    clockTicks: CLOCK_TICKS_PER_SECOND,
    logger: deps.logger,
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    send: (data, correlationId) => agent.message(METRICS_FEATURE_ID, METRICS_DATA, data, correlationId ? { 'correlation-id': correlationId } : {}),
  });
  const base = `/features/${METRICS_FEATURE_ID}`;
  const register = async (thingId: string) => {
    await agent.modify(base, { definition: [...METRICS_DEFINITION], properties: { request: describeRequest(reporter.request) } });
    log.info({ thingId, featureId: METRICS_FEATURE_ID }, 'feature registered');
  };
  let started = false;
  agent.onThing((thingId) => {
    void register(thingId).catch((err: unknown) => log.error({ err }, 'feature registration failed'));
    // Kanto starts the boot-time reporting once connected to the thing; a request since then wins.
    if (!started) {
      started = true;
      if (initial.frequencyMs > 0 && reporter.request.frequencyMs === 0) void reporter.set(initial);
    }
  });
  agent.handle(
    METRICS_FEATURE_ID,
    async (cmd) => {
      const parsed = parseMetricsRequest(cmd.value);
      if (!parsed.ok) throw metricsRequestInvalidError(parsed.problems);
      started = true;
      await reporter.set(parsed.request, cmd.correlationId);
      await agent.modify(`${base}/properties/request`, describeRequest(parsed.request));
    },
    [METRICS_REQUEST],
  );

  const closer = createCloser(log);
  return {
    async start() {
      if (deps.bus === undefined) {
        await bus.start();
        closer.add('bus', () => bus.close());
      }
      closer.add('reporter', () => reporter.close());
      await agent.start();
      closer.add('agent', () => agent.close());
      if (prometheus) {
        closer.add('prometheus', () => prometheus.close());
        await prometheus.start();
        deps.onPrometheus?.(prometheus.address()!);
      }
      log.info({ frequencyMs: initial.frequencyMs, broker: config.localAddress, prometheus: prometheus?.address() }, 'system metrics started');
    },
    close: () => closer.close(),
  };
}

export const systemMetricsEntry: AppEntry<SystemMetricsSpec> = withHealth({
  name: 'system-metrics',
  summary: 'Ledge system metrics: the Metrics feature (CPU, load, memory and per-process figures from /proc, reported at the requested frequency)',
  spec: systemMetricsSpec,
  aliases: kantoLocalBusAliases,
  create: (config, { logger }) => createSystemMetrics(config, { logger }),
});
