// Kanto's suite-bootstrapping agent: with the bootstrap identity it connects to the cloud by itself (the
// connector is not provisioned yet), writes the `Bootstrapping` feature, sends a `request` (the optional
// pre-bootstrap file in chunks, its hash on the last), and takes `response` messages: chunks of the
// post-bootstrap file, its hash (checked, then the post-bootstrap script runs) and the new provisioning,
// which becomes the connector's provisioning.json (the connector watches it and reconnects). An `error`
// above 0, a wrong hash or no answer within responseTimeout fails the attempt; after maxAttempts it gives up.
// Beyond Kanto: the provisioning is written atomically with mode 0600 and the previous one is kept beside
// it (`<file>.previous`), so the connector can fall back to it when the new identity is refused.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { copyFile, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import type { CloudClient } from '@ledge/connector/data-access-cloud-mqtt';
import {
  BOOTSTRAPPING_DEFINITION,
  BOOTSTRAPPING_FEATURE_ID,
  BOOTSTRAPPING_REQUEST,
  BOOTSTRAPPING_RESPONSE,
  buildBootstrapRequests,
  parseBootstrapResponse,
  type CloudProtocol,
  type DeviceContext,
} from '@ledge/connector/model-connector';
import { buildLiveMessage, buildResponse, buildTwinModify, getCorrelationId, parseEnvelope, parseThingId, shouldRespond, type DittoEnvelope } from '@ledge/shared/model-ditto';
import { parseHonoTopic } from '@ledge/shared/model-hono';
import { onlyOnce, systemScheduler, writeFileDurably, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';
import { bootstrapFailedError } from './errors';

export interface BootstrapSettings {
  readonly deviceId: string;
  readonly tenantId: string;
  readonly chunkBytes: number;
  readonly preBootstrapFile: string;
  readonly preBootstrapScript: readonly string[];
  readonly postBootstrapFile: string;
  readonly postBootstrapScript: readonly string[];
  /** Where the new provisioning goes: the connector's provisioningFile. */
  readonly bootstrapProvisioningFile: string;
  readonly responseTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  /** Largest pre- and post-bootstrap file. */
  readonly maxFileBytes: number;
  /** Owner given to the written provisioning (the connector's user when this runs as root). */
  readonly provisioningOwner?: { readonly uid: number; readonly gid: number };
}

export type ScriptRunner = (argv: readonly string[]) => Promise<void>;

export interface BootstrapDeps {
  readonly cloud: CloudClient;
  readonly protocol: CloudProtocol;
  readonly runScript: ScriptRunner;
  readonly logger: Logger;
  readonly newRequestId?: () => string;
  /** The response timeout and the retry delay (default: the system's). */
  readonly scheduler?: Scheduler;
}

export interface BootstrapAgent {
  /** Resolves once the new provisioning is written; rejects after maxAttempts failed attempts. */
  readonly done: Promise<void>;
  start(): void;
  close(): Promise<void>;
}

interface Attempt {
  readonly requestId: string;
  readonly hasher: Hash;
  readonly part: string;
  received: number;
  provisioning?: string;
  file?: FileHandle;
  timer?: Timer;
}

export function createBootstrapAgent(settings: BootstrapSettings, deps: BootstrapDeps): BootstrapAgent {
  const log = deps.logger.child({ component: 'bootstrapping', deviceId: settings.deviceId });
  const ctx: DeviceContext = { deviceId: settings.deviceId, tenantId: settings.tenantId, now: Date.now };
  const parsedId = parseThingId(settings.deviceId);
  if (!parsedId.ok) throw bootstrapFailedError(`device ID '${settings.deviceId}' is not namespaced <ns>:<name>`);
  const thing = parsedId.thingId;
  const scheduler = deps.scheduler ?? systemScheduler;
  const newRequestId = deps.newRequestId ?? randomUUID;
  let resolveDone!: () => void;
  let rejectDone!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => undefined); // the owner awaits it; an unobserved rejection must not crash the process
  let attempt: Attempt | undefined;
  let failures = 0;
  let finished = false;
  let started = false;
  let busy = Promise.resolve();

  /** Publishes a local-form message through the cloud protocol (Hono: `e` → the cloud's event topic). */
  const publishLocal = async (topic: string, env: DittoEnvelope) => {
    const mapped = deps.protocol.toCloud({ topic, payload: Buffer.from(JSON.stringify(env)), qos: 1 }, ctx);
    if (!mapped.ok) throw bootstrapFailedError(`cannot map ${topic} to the cloud: ${mapped.drop}`);
    for (const m of mapped.messages) await deps.cloud.publish(m.topic, m.payload, m.qos === 0 ? 0 : 1);
  };

  const cleanupAttempt = async (a: Attempt) => {
    a.timer?.cancel();
    await a.file?.close().catch(() => undefined);
    await rm(a.part, { force: true });
  };

  async function fail(a: Attempt, why: string): Promise<void> {
    if (attempt !== a) return;
    attempt = undefined;
    await cleanupAttempt(a);
    failures++;
    log.warn({ requestId: a.requestId, failures, maxAttempts: settings.maxAttempts, reason: why }, 'bootstrapping request failed');
    if (failures >= settings.maxAttempts) {
      finished = true;
      rejectDone(bootstrapFailedError(`${failures} requests failed, the last: ${why}`));
      return;
    }
    scheduler.setTimeout(() => void request().catch((err: unknown) => log.error({ err }, 'bootstrapping request not sent')), settings.retryDelayMs);
  }

  async function request(): Promise<void> {
    if (finished || !deps.cloud.connected) return;
    let file: Buffer | undefined;
    if (settings.preBootstrapScript.length > 0) await deps.runScript(settings.preBootstrapScript);
    if (settings.preBootstrapFile !== '') {
      file = await readFile(settings.preBootstrapFile).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (file && file.length > settings.maxFileBytes) throw bootstrapFailedError(`preBootstrapFile is larger than ${settings.maxFileBytes} bytes`);
    }
    const requestId = newRequestId();
    const a: Attempt = { requestId, hasher: createHash('sha256'), part: `${settings.postBootstrapFile || settings.bootstrapProvisioningFile}.part`, received: 0 };
    a.timer = scheduler.setTimeout(() => void fail(a, `no answer within ${settings.responseTimeoutMs} ms`), settings.responseTimeoutMs);
    attempt = a;
    const correlationId = randomUUID();
    const values = buildBootstrapRequests(requestId, file, settings.chunkBytes);
    for (const value of values) {
      await publishLocal('e', buildLiveMessage({ thingId: thing, featureId: BOOTSTRAPPING_FEATURE_ID, subject: BOOTSTRAPPING_REQUEST, value, headers: { 'correlation-id': correlationId } }));
    }
    log.info({ requestId, chunks: file ? values.length : 0, bytes: file?.length ?? 0 }, 'bootstrapping requested');
  }

  /** One `response` value of the running attempt; returns the status to answer with. */
  async function take(value: unknown): Promise<number> {
    const p = parseBootstrapResponse(value, settings.chunkBytes * 4);
    if (!p.ok) {
      log.warn({ problem: p.problem }, 'malformed bootstrapping response ignored');
      return 400;
    }
    const r = p.value;
    const a = attempt;
    if (a === undefined || r.requestId !== a.requestId) {
      log.warn({ requestId: r.requestId }, 'bootstrapping response for an unknown request ignored');
      return 400;
    }
    if (r.error !== undefined && r.error > 0) {
      await fail(a, `the backend answered error ${r.error}`);
      return 204;
    }
    if (r.provisioning !== undefined) a.provisioning = r.provisioning;
    if (r.chunk !== undefined && r.chunk.length > 0) {
      if (settings.postBootstrapFile === '') {
        await fail(a, 'a post-bootstrap chunk came, but no postBootstrapFile is configured');
        return 500;
      }
      a.received += r.chunk.length;
      if (a.received > settings.maxFileBytes) {
        await fail(a, `the post-bootstrap file is larger than ${settings.maxFileBytes} bytes`);
        return 400;
      }
      a.file ??= await open(a.part, 'w', 0o600);
      await a.file.write(r.chunk);
      a.hasher.update(r.chunk);
    }
    if (r.hash === undefined) return 204;
    const got = a.hasher.digest('hex');
    if (got !== r.hash) {
      await fail(a, `hash ${r.hash} does not match the received data (${got})`);
      return 400;
    }
    await finish(a);
    return 204;
  }

  async function finish(a: Attempt): Promise<void> {
    a.timer?.cancel();
    try {
      if (a.file) {
        await a.file.datasync();
        await a.file.close();
        a.file = undefined;
        await rename(a.part, settings.postBootstrapFile);
      }
      if (settings.postBootstrapScript.length > 0) await deps.runScript(settings.postBootstrapScript);
      if (a.provisioning !== undefined) {
        JSON.parse(a.provisioning); // a document that does not parse must not replace a working one
        const target = settings.bootstrapProvisioningFile;
        await copyFile(target, `${target}.previous`).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        await writeFileDurably(target, a.provisioning, { mode: 0o600, ...(settings.provisioningOwner ? { owner: settings.provisioningOwner } : {}) });
      }
    } catch (err) {
      await fail(a, `finishing failed: ${(err as Error).message}`);
      return;
    }
    attempt = undefined;
    finished = true;
    log.info({ requestId: a.requestId, postBootstrapFile: settings.postBootstrapFile || undefined, provisioning: a.provisioning ? settings.bootstrapProvisioningFile : undefined }, 'bootstrapping finished');
    resolveDone();
  }

  const onMessage = (m: { topic: string; payload: Buffer }) => {
    const mapped = deps.protocol.toLocal({ topic: m.topic, payload: m.payload, qos: 1 }, ctx);
    if (!mapped.ok) return;
    // Hono's mapping gives both local forms of a command (command///req and c///q): take it once.
    for (const local of mapped.messages.slice(0, 1)) {
      const t = parseHonoTopic(local.topic);
      if (!t.ok || t.topic.kind !== 'command-request') continue;
      const env = parseEnvelope(local.payload);
      if (!env.ok) continue;
      const e = env.envelope;
      if (e.path !== `/features/${BOOTSTRAPPING_FEATURE_ID}/inbox/messages/${BOOTSTRAPPING_RESPONSE}`) continue;
      const requestTopicId = (t.topic as { requestId?: string }).requestId;
      busy = busy
        .then(async () => {
          const status = await take(e.value);
          if (getCorrelationId(e.headers) !== undefined && requestTopicId && shouldRespond(e, true)) {
            await publishLocal(`command///res/${requestTopicId}/${status}`, buildResponse(e, { status }));
          }
        })
        .catch((err: unknown) => log.error({ err }, 'bootstrapping response not handled'));
    }
  };

  const onConnected = () => {
    void (async () => {
      for (const f of deps.protocol.cloudSubscriptions(ctx)) await deps.cloud.subscribe(f, 1);
      await publishLocal('e', buildTwinModify({ thingId: thing, path: `/features/${BOOTSTRAPPING_FEATURE_ID}`, value: { definition: [...BOOTSTRAPPING_DEFINITION] } }));
      if (!started && !finished) {
        started = true;
        await request();
      }
    })().catch((err: unknown) => log.error({ err }, 'bootstrapping start failed'));
  };

  return {
    done,
    start() {
      deps.cloud.on('message', onMessage);
      deps.cloud.on('connected', onConnected);
      deps.cloud.on('stopped', ({ error }) => {
        if (finished) return;
        finished = true;
        rejectDone(bootstrapFailedError(`the cloud refused the bootstrap identity: ${error.message}`));
      });
      deps.cloud.start();
    },
    close: onlyOnce(async () => {
      finished = true;
      if (attempt) await cleanupAttempt(attempt);
      await busy;
      await deps.cloud.close();
    }),
  };
}
