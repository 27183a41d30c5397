// The broker's own health (docs/mqtt-api.md "Health"): retained `edge/health/broker` `up` at start and again
// on every `edge/health/request` (with its load: connected clients, persistent sessions, queued messages),
// `down` (stopped) at a clean stop. No will: without the broker there is no bus to hear it.
import { buildHealthDown, buildHealthUp, encodeHealth, healthTopic, HealthTopics, type HealthOptions } from '@ledge/shared/model-edge';
import type { Logger } from '@ledge/shared/util';
import type { LedgeAedes } from './ledge-aedes';

export interface BrokerHealthOptions {
  readonly broker: LedgeAedes;
  /** The store's counters, when it keeps them (the disk persistence does). */
  readonly storeStats: () => { sessions?: number; queued?: number } | undefined;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface BrokerHealth {
  start(): Promise<void>;
  /** Publishes `down` (stopped) and stops answering requests. */
  stop(): Promise<void>;
}

export function createBrokerHealth(o: BrokerHealthOptions): BrokerHealth {
  const facts: HealthOptions = { pid: process.pid, version: process.env['LEDGE_VERSION'] ?? 'dev', startedMs: o.now() };
  const publish = (payload: string) =>
    new Promise<void>((resolve) =>
      o.broker.publish({ cmd: 'publish', topic: healthTopic('broker'), payload: Buffer.from(payload, 'utf8'), qos: 1, retain: true, dup: false }, () => resolve()),
    );
  const stats = () => {
    const s = o.storeStats();
    return { clients: o.broker.connectedClients, ...(s?.sessions !== undefined ? { sessions: s.sessions } : {}), ...(s?.queued !== undefined ? { queued: s.queued } : {}) };
  };
  const up = () => publish(encodeHealth({ ...buildHealthUp(facts), stats: stats() }));
  const onRequest = (_packet: unknown, done: () => void) => {
    void up().catch((err: unknown) => o.logger.debug({ err }, 'health not published'));
    done();
  };
  let listening = false;
  return {
    async start() {
      await new Promise<void>((resolve) => o.broker.subscribe(HealthTopics.request, onRequest, () => resolve()));
      listening = true;
      await up();
    },
    async stop() {
      if (listening) await new Promise<void>((resolve) => o.broker.unsubscribe(HealthTopics.request, onRequest, () => resolve()));
      listening = false;
      await publish(encodeHealth(buildHealthDown(facts, 'stopped', o.now())));
    },
  };
}
