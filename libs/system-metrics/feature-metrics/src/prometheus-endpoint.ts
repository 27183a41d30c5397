// Ledge's Prometheus endpoint (beyond Kanto, off unless configured, loopback by default): GET /metrics
// answers the system figures read at scrape time, and what the local bus last said about Ledge (every
// app's retained health, the cloud link and the connector's outbox). The bus messages are untrusted:
// each is parsed, a malformed one ignored. Only GET/HEAD of /metrics; nothing is read from a request body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { appOfHealthTopic, EdgeTopics, HealthTopics, parseConnectionStatus, parseHealth, type AppHealth, type ConnectionStatus } from '@ledge/shared/model-edge';
import { cpuUtilization, renderPrometheus, type CpuTimes, type PrometheusAddress } from '@ledge/system-metrics/model-metrics';
import { onlyOnce, type Logger } from '@ledge/shared/util';
import type { MetricsSource } from './reporter';

export interface PrometheusEndpointDeps {
  readonly address: PrometheusAddress;
  readonly bus: LocalBusClient;
  readonly source: MetricsSource;
  readonly logger: Logger;
}

export interface PrometheusEndpoint {
  start(): Promise<void>;
  /** The bound address (port 0 resolved), once started. */
  address(): PrometheusAddress | undefined;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Apps remembered at most: health topics are open to any local client (Kanto's third-party apps). */
const MAX_APPS = 256;

export function createPrometheusEndpoint(deps: PrometheusEndpointDeps): PrometheusEndpoint {
  const log = deps.logger.child({ component: 'prometheus' });
  const apps = new Map<string, AppHealth>();
  let link: ConnectionStatus | undefined;
  let lastCpu: CpuTimes | undefined;
  let server: Server | undefined;
  const removers: (() => void)[] = [];

  async function body(): Promise<string> {
    const [cpu, load, memory] = await Promise.allSettled([deps.source.cpu(), deps.source.load(), deps.source.memory()]);
    const now = cpu.status === 'fulfilled' ? cpu.value : undefined;
    const utilization = cpuUtilization(lastCpu, now);
    if (now) lastCpu = now;
    for (const r of [cpu, load, memory]) if (r.status === 'rejected') log.warn({ err: r.reason }, 'a /proc read failed; its figures are left out of this scrape');
    return renderPrometheus({
      ...(utilization !== undefined ? { cpuUtilization: utilization } : {}),
      ...(load.status === 'fulfilled' ? { load: load.value } : {}),
      ...(memory.status === 'fulfilled' ? { memory: memory.value } : {}),
      apps,
      ...(link ? { link } : {}),
    });
  }

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    body().then(
      (text) => {
        res.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        log.warn({ err }, 'scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      },
    );
  }

  return {
    async start() {
      removers.push(
        deps.bus.onMessage(HealthTopics.all, (topic, payload) => {
          const app = appOfHealthTopic(topic);
          if (app === undefined) return;
          if (payload.length === 0) return void apps.delete(app); // retained health cleared
          const h = parseHealth(payload);
          if (!h.ok || (!apps.has(app) && apps.size >= MAX_APPS)) return;
          apps.set(app, h.health);
        }),
        deps.bus.onMessage(EdgeTopics.connectionStatus, (_topic, payload) => {
          const s = parseConnectionStatus(payload);
          if (s.ok) link = s.status;
        }),
      );
      await deps.bus.subscribe([HealthTopics.all, EdgeTopics.connectionStatus], { qos: 1 });
      const s = createServer(serve);
      s.headersTimeout = 10_000;
      s.requestTimeout = 15_000;
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(deps.address.port, deps.address.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      log.info({ ...this.address() }, 'serving Prometheus metrics at /metrics');
    },
    address() {
      const a = server?.address();
      return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
    },
    close: onlyOnce(async () => {
      for (const r of removers.splice(0)) r();
      if (server) {
        const s = server;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    }),
  };
}
