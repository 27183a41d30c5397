// Health on the bus (issue 21, docs/mqtt-api.md "Health"). Each Ledge app runs a reporter on its own small
// local connection, `ledge-<app>-health`: its Last Will is the app's `down` (reason `lost`), so the broker
// announces an app that died, was killed or hung (no PINGREQ within 1.5 × the keepalive) without the app
// doing anything. It publishes `up` (retained) on every connect and on `edge/health/request`, and `down`
// (reason `stopped`) before a clean close. A connection of its own because a connection has one will,
// and the connector's main connection already carries the connection status as its will.
// An app may add details to its `up` (software update: its last operation) and ask for a republish when they
// change (issue 21 item 3).
// The connector also runs the `Health` feature: one property per app on the gateway thing, so a backend
// sees a dead app at the cloud.
import { buildHealthDown, buildHealthUp, encodeHealth, HealthPublishOptions, HealthTopics, appOfHealthTopic, healthTopic, parseHealth, type AppHealth, type HealthOptions } from '@ledge/shared/model-edge';
import { onlyOnce, type App, type AppEntry, type ConfigOf, type ConfigSpec, type LocalBusSettings, type Logger, type WithCommon } from '@ledge/shared/util';
import { createDittoAgent } from './ditto-agent';
import { createLocalBusClient } from './local-bus-client';
import { localBusClientOptions } from './local-bus-settings';
import type { LocalBusClientOptions } from './options';
import type { LocalBusClient } from './types';

/** The longest a clean stop waits for the broker to take its `down`. */
export const STOP_REPORT_MS = 2000;

/** How long a hung app may stay `up`: the broker publishes the will 1.5 × this after the last packet. */
export const HEALTH_KEEPALIVE_SECONDS = 10;

/** What an app adds to its `up`; read at every publish. */
export type HealthDetails = Pick<AppHealth, 'lastOperation'>;

export interface HealthReporterOptions {
  readonly app: string;
  /** Where and how to connect (URL, account, TLS): the app's own local-bus settings. */
  readonly bus: Omit<LocalBusClientOptions, 'clientId' | 'will' | 'clean' | 'keepaliveSeconds'>;
  readonly version: string;
  readonly pid?: number;
  readonly restarts?: number;
  readonly now?: () => number;
  /** Default HEALTH_KEEPALIVE_SECONDS. */
  readonly keepaliveSeconds?: number;
  /** The app's details for every `up` (never for `down`: the will is fixed at connect); default none. */
  readonly details?: () => HealthDetails;
  readonly logger: Logger;
}

export interface HealthReporter {
  /** The reporter's connection (the connector's Health feature rides on it). */
  readonly bus: LocalBusClient;
  /** The `up` as it would be published now (with the app's details). */
  readonly health: () => AppHealth;
  /** Publishes `up` again (the details changed). Offline it does nothing: every connect publishes `up`. */
  refresh(): void;
  start(): Promise<void>;
  /** Publishes `down` (stopped), waits for its PUBACK (bounded by the bus' close timeout), disconnects. */
  close(): Promise<void>;
}

export function createHealthReporter(o: HealthReporterOptions): HealthReporter {
  const now = o.now ?? Date.now;
  const log = o.logger.child({ component: 'health' }); // the app's own logger names the app (and its pid)
  const topic = healthTopic(o.app);
  const facts: HealthOptions = { pid: o.pid ?? process.pid, version: o.version, startedMs: now(), ...(o.restarts !== undefined ? { restarts: o.restarts } : {}) };
  const up = buildHealthUp(facts);
  const bus = createLocalBusClient({
    ...o.bus,
    clientId: `ledge-${o.app}-health`,
    clean: true,
    keepaliveSeconds: o.keepaliveSeconds ?? HEALTH_KEEPALIVE_SECONDS,
    will: { topic, payload: encodeHealth(buildHealthDown(facts, 'lost', now())), ...HealthPublishOptions },
    logger: o.logger,
    logComponent: 'health-bus', // not the app's `local-bus`: its connection state is the app's, this one's is the health's
  });
  let stopping = false;
  const current = (): AppHealth => {
    if (o.details === undefined) return up;
    try {
      return { ...up, ...o.details() };
    } catch (err) {
      log.warn({ err }, 'health details unavailable'); // the app is up all the same
      return up;
    }
  };
  const announce = () => {
    if (stopping) return;
    bus.publish(topic, encodeHealth(current()), HealthPublishOptions).catch((err: unknown) => log.debug({ err }, 'health not published'));
  };
  bus.on('connected', announce);
  bus.onMessage(HealthTopics.request, () => announce());
  return {
    bus,
    health: current,
    refresh() {
      if (bus.connected) announce();
    },
    async start() {
      await bus.start();
      await bus.subscribe(HealthTopics.request, { qos: 0 });
      log.info({ topic, version: up.version }, 'reporting health');
    },
    close: onlyOnce(async () => {
      stopping = true;
      const down = buildHealthDown(facts, 'stopped', now());
      // Offline, MQTT.js would keep it for a reconnect that never comes: publish only when connected, and
      // wait for the PUBACK no longer than STOP_REPORT_MS (a broker stopping at the same time, as all units
      // do at shutdown, may never send it).
      if (bus.connected) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_REPORT_MS)));
        const sent = bus.publish(topic, encodeHealth(down), HealthPublishOptions).catch((err: unknown) => log.debug({ err }, 'stop not published'));
        await Promise.race([sent, bounded]);
        clearTimeout(timer);
      }
      await bus.close();
    }),
  };
}

/** `Health` on the gateway thing: a Ledge feature (docs/mqtt-api.md), one property per app. */
export const HEALTH_FEATURE_ID = 'Health';
export const HEALTH_FEATURE_DEFINITION = 'org.eclipse.ledge:Health:1.0.0';

export interface HealthFeature {
  /** The last health seen per app. */
  readonly apps: () => Readonly<Record<string, AppHealth>>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Mirrors every `edge/health/<app>` into the twin: the whole feature when the thing is (re)learnt, then each change. */
export function createHealthFeature(o: { bus: LocalBusClient; logger: Logger }): HealthFeature {
  const log = o.logger.child({ component: 'health-feature' });
  const agent = createDittoAgent({ bus: o.bus, logger: o.logger, thingSuffix: '' });
  const apps: Record<string, AppHealth> = {};
  let chain: Promise<void> = Promise.resolve();
  const send = (what: string, path: string, value: () => unknown) => {
    if (agent.thingId === undefined) return; // the whole feature goes up once the thing is known
    chain = chain.then(() => agent.modify(path, value())).catch((err: unknown) => log.warn({ err, what }, 'health not sent to the twin'));
  };
  const whole = () => ({ definition: [HEALTH_FEATURE_DEFINITION], properties: { ...apps } });
  agent.onThing(() => send('feature', `/features/${HEALTH_FEATURE_ID}`, whole));
  o.bus.onMessage(HealthTopics.all, (topic, payload) => {
    const app = appOfHealthTopic(topic);
    if (app === undefined) return;
    if (payload.length === 0) return; // a cleared retained topic
    const parsed = parseHealth(payload);
    if (!parsed.ok) {
      log.warn({ topic, problems: parsed.problems }, 'malformed health ignored');
      return;
    }
    const before = apps[app];
    apps[app] = parsed.health;
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(parsed.health)) return; // a republish
    log.info({ of: app, status: parsed.health.status, reason: parsed.health.reason }, 'app health changed');
    send(app, `/features/${HEALTH_FEATURE_ID}/properties/${app}`, () => parsed.health);
  });
  return {
    apps: () => apps,
    async start() {
      await agent.start();
      await o.bus.subscribe(HealthTopics.all, { qos: 1 });
    },
    // Not waiting for the twin updates still on their way: with the broker gone (it stops first when the
    // packages are removed) a QoS 1 publish waits for a reconnect that never comes; closing the bus ends them.
    close: onlyOnce(() => agent.close()),
  };
}

/** Handed to an entry's `create` by withHealth: how the app adds details to its health and republishes it. */
export interface HealthHandle {
  /** Details for every `up` from now on (the last call wins). */
  details(fn: () => HealthDetails): void;
  /** Publishes `up` again now, e.g. when an operation finished. */
  refresh(): void;
}

/** An entry whose `create` wants the health handle; every AppEntry is one (it just ignores it). */
export type HealthAwareEntry<S extends ConfigSpec> = Omit<AppEntry<S>, 'create'> & {
  create(config: ConfigOf<WithCommon<S>>, deps: { logger: Logger; health: HealthHandle }): App;
};

export interface WithHealthOptions {
  /** Run the `Health` feature too (the connector: it owns the cloud link). */
  readonly feature?: boolean;
}

/** A supervisor's restart count handed down in LEDGE_RESTARTS (`ledge run --processes`); absent or malformed: none. */
export function restartsFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env['LEDGE_RESTARTS'];
  return raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The entry, reporting health: `up` once the app started, `down` (stopped) before it closes; the reporter
 * uses the app's own local-bus settings (address, account, TLS).
 */
export function withHealth<S extends ConfigSpec>(entry: HealthAwareEntry<S>, options: WithHealthOptions = {}): AppEntry<S> {
  return {
    ...entry,
    create(config, deps) {
      // The reporter comes after the app (a create that throws leaves no connection behind), so the handle
      // reaches it late: a refresh before it exists has nothing to republish anyway.
      const late: { details?: () => HealthDetails; reporter?: HealthReporter } = {};
      const health: HealthHandle = { details: (fn) => void (late.details = fn), refresh: () => late.reporter?.refresh() };
      const app = entry.create(config, { ...deps, health });
      const restarts = restartsFromEnv(process.env);
      const own = createHealthReporter({
        app: entry.name,
        bus: { ...localBusClientOptions(config as unknown as LocalBusSettings), backoff: { initialMs: 1000, maxMs: 5000 } },
        version: process.env['LEDGE_VERSION'] ?? 'dev',
        ...(restarts !== undefined ? { restarts } : {}),
        details: () => late.details?.() ?? {},
        logger: deps.logger,
      });
      late.reporter = own;
      const feature = options.feature ? createHealthFeature({ bus: own.bus, logger: deps.logger }) : undefined;
      const wrapped: App = {
        ...app,
        async start() {
          await app.start();
          await own.start();
          await feature?.start();
        },
        close: onlyOnce(async () => {
          await feature?.close();
          await own.close();
          await app.close();
        }),
      };
      return wrapped;
    },
  };
}
