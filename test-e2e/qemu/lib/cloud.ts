// The test's "cloud" on the host: a Mosquitto the packaged connector links the gateway to, an HTTP server
// that serves artifacts (software update) and takes uploads (file upload's generic provider), both reached
// by the guest through guestfwd rules at 10.0.2.100:<port>; and the Ditto commands a backend sends there.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { HOST_ALIAS } from './vm';

/** The "cloud" MQTT broker on the host (anonymous Mosquitto) and the HTTP server beside it. */
export interface Cloud {
  port: number;
  /** Files the host's HTTP server serves to the guest on GET (path → bytes). */
  files: Map<string, Buffer>;
  /** Bodies the guest sent to the same server with PUT or POST (path → bytes): the upload sink. */
  uploads: Map<string, Buffer>;
  /** An arm64 busybox image (cmd: echo hello) in the host's registry, as `<repo>:<tag>` there. */
  registryRepo: string;
}

/** The guest reaches the cloud at 10.0.2.100:<this> (a QEMU guestfwd to the host's Mosquitto). */
export const CLOUD_PORT_IN_GUEST = 18884;
/** The guest reaches the host's HTTP server (artifacts, upload sink) at 10.0.2.100:<this>. */
export const ARTIFACTS_PORT_IN_GUEST = 18080;
/** The guest reaches the host's OCI registry (plain HTTP) at 10.0.2.100:<this>. */
export const REGISTRY_PORT_IN_GUEST = 18500;
/** The registry as container management on the gateway names it (an insecure registry there). */
export const REGISTRY_IN_GUEST = `${HOST_ALIAS}:${REGISTRY_PORT_IN_GUEST}`;
/** The gateway's device ID, configured into the connector by the connector-cloud scenario. */
export const DEVICE = 'demo:e2e-gateway';
/** The thing container management serves (spec §3.2). */
export const CONTAINERS_THING = `${DEVICE}:edge:containers`;

/** The URL under which the guest reaches `path` on the host's HTTP server. */
export const hostUrl = (path: string) => `http://${HOST_ALIAS}:${ARTIFACTS_PORT_IN_GUEST}${path}`;

/** GET serves `files`; PUT and POST store the body in `uploads` and answer 201. */
export async function startHttpServer(): Promise<{ port: number; files: Map<string, Buffer>; uploads: Map<string, Buffer>; close(): Promise<void> }> {
  const files = new Map<string, Buffer>();
  const uploads = new Map<string, Buffer>();
  const http = createServer((req, res) => {
    if (req.method === 'PUT' || req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        uploads.set(req.url ?? '', Buffer.concat(chunks));
        res.writeHead(201, { 'content-length': '0' }).end();
      });
      return;
    }
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-length': String(body?.length ?? 0) }).end(body);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    port: (http.address() as { port: number }).port,
    files,
    uploads,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}

/** A backend's client on the cloud broker. */
export function connectCloud(cloud: Cloud): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.port}`, { reconnectPeriod: 0 });
}

export async function closeCloud(c: MqttClient): Promise<void> {
  await c.endAsync().catch(() => c.end(true));
}

/** A Ditto live message to a feature's inbox (spec §3.1), as the cloud sends it; `thingId` is `<namespace>:<name>`. */
export function commandEnvelope(o: { thingId: string; featureId: string; subject: string; correlationId: string; value: unknown; responseRequired?: boolean }) {
  return {
    topic: `${o.thingId.replace(':', '/')}/things/live/messages/${o.subject}`,
    headers: { 'correlation-id': o.correlationId, 'response-required': o.responseRequired ?? true, timeout: '60s', 'content-type': 'application/json' },
    path: `/features/${o.featureId}/inbox/messages/${o.subject}`,
    value: o.value,
  };
}

/** The Hono command topic the cloud publishes a command on (device level empty for the gateway itself). */
export function commandTopic(thingId: string, requestId: string, subject: string): string {
  return `command//${thingId === DEVICE ? '' : thingId}/req/${requestId}/${subject}`;
}

/**
 * The value of a SoftwareUpdatable `install` of one plain script served by the host at `path` (spec §5):
 * the software-update agent downloads it as the module's `install.sh` (the command it runs by default),
 * checks its SHA-256 and runs it as root.
 */
export function installValue(o: { correlationId: string; module: string; path: string; script: Buffer }) {
  return {
    correlationId: o.correlationId,
    softwareModules: [
      {
        softwareModule: { name: o.module, version: '1.0.0' },
        metaData: { 'artifact-type': 'plain' },
        artifacts: [
          {
            filename: 'install.sh',
            size: o.script.length,
            download: { HTTP: { url: hostUrl(o.path) } },
            checksums: { SHA256: createHash('sha256').update(o.script).digest('hex') },
          },
        ],
      },
    ],
  };
}

/** lastOperation statuses of a successful install, without the repeated progress ones. */
export const INSTALL_STATUSES = ['STARTED', 'DOWNLOADED', 'INSTALLED', 'FINISHED_SUCCESS'] as const;
export const withoutProgress = (statuses: readonly string[]) => statuses.filter((s) => s !== 'DOWNLOADING' && s !== 'INSTALLING');
