// The Ditto side of the development cloud (issue 24): the twin store fed by what devices publish through the
// device side (DeviceLink), kept in one file under dataDir, and served as a subset of Ditto's HTTP API 2
// (things and their sub-resources, messages, Server-Sent Events) to a developer's curl.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyTwinCommand, DittoErrors, emptyTwinState, readPath, type DeviceLink, type DeviceMessage, type TwinState } from '@ledge/dev-cloud/model-dev-cloud';
import { parseDittoTopic, parseEnvelope, getCorrelationId, getHeaderString, isResponseRequired, DittoHeaderNames, type DittoEnvelope } from '@ledge/shared/model-ditto';
import { onlyOnce, systemClock, systemScheduler, withDefaults, type Clock, type Logger, type Scheduler } from '@ledge/shared/util';
import { authorized, sendError, WWW_AUTHENTICATE, type BasicAuth } from './http-io';
import { routeDitto } from './http-routes';
import { createMessenger } from './messages';
import { createSseHub } from './sse';
import { createStoreFile } from './store-file';

export interface DittoServiceOptions {
  readonly link: DeviceLink;
  /** Where the twin store file lives (created when missing). */
  readonly dataDir: string;
  /** The Hono tenant of the devices commands go to. */
  readonly tenant: string;
  readonly logger: Logger;
  /** Twin timestamps (`_modified`) and the moved-aside store file's name; systemClock by default. */
  readonly clock?: Clock;
  /** The store's write delay, SSE keep-alives and message timeouts; systemScheduler by default. */
  readonly scheduler?: Scheduler;
  /** HTTP basic auth of /api/2; none when absent. */
  readonly auth?: BasicAuth;
  readonly maxBodyBytes?: number;
  readonly keepAliveMs?: number;
  readonly writeDelayMs?: number;
  readonly maxStreams?: number;
  readonly newId?: () => string;
}

export const defaultDittoServiceOptions = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  keepAliveMs: 30_000,
  writeDelayMs: 200,
  maxStreams: 64,
});

export interface DittoService {
  start(): Promise<void>;
  /** Serves a request under /api/2/; false (untouched) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

export function createDittoService(options: DittoServiceOptions): DittoService {
  const settings = withDefaults(defaultDittoServiceOptions, options);
  const log = options.logger.child({ component: 'ditto' });
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const store = createStoreFile({ dataDir: options.dataDir, logger: log, scheduler, clock, writeDelayMs: settings.writeDelayMs });
  const hub = createSseHub({ scheduler, keepAliveMs: settings.keepAliveMs, maxStreams: settings.maxStreams });
  let state: TwinState = emptyTwinState;
  const messenger = createMessenger({ link: options.link, tenant: options.tenant, logger: log, scheduler, knows: (id) => Object.hasOwn(state.things, id), ...(options.newId ? { newId: options.newId } : {}) });
  let phase: 'new' | 'running' | 'closed' = 'new';
  let unsubscribe = () => {};

  const onDeviceMessage = (m: DeviceMessage) => {
    if (m.kind === 'command-response') return messenger.onResponse(m);
    const parsed = parseEnvelope(m.payload);
    if (!parsed.ok) {
      log.debug({ deviceId: m.device.deviceId, problems: parsed.problems }, 'device message is not Ditto protocol: dropped');
      return;
    }
    const envelope = parsed.envelope;
    const topic = parseDittoTopic(envelope.topic);
    if (topic.ok && topic.topic.criterion === 'messages') {
      const outbox = /^(?:\/features\/([^/]+))?\/outbox\/messages\/(.+)$/.exec(envelope.path);
      if (outbox === null) return log.debug({ path: envelope.path }, 'live message not from an outbox: dropped');
      const contentType = getHeaderString(envelope.headers, DittoHeaderNames.contentType);
      hub.publishMessage({
        thingId: `${topic.topic.namespace}:${topic.topic.name}`,
        subject: outbox[2]!,
        ...(outbox[1] === undefined ? {} : { featureId: outbox[1] }),
        ...(envelope.value === undefined ? {} : { value: envelope.value }),
        ...(contentType === undefined ? {} : { contentType }),
      });
      return;
    }
    if (topic.ok && topic.topic.channel === 'twin' && topic.topic.criterion === 'commands' && topic.topic.action === 'retrieve') {
      answerRetrieve(envelope, `${topic.topic.namespace}:${topic.topic.name}`);
      return;
    }
    const result = applyTwinCommand(state, envelope, new Date(clock.now()));
    if (result.error) {
      log.warn({ deviceId: m.device.deviceId, topic: envelope.topic, path: envelope.path, error: result.error.error, reason: result.error.message }, 'twin command refused');
      return;
    }
    state = result.state;
    if (result.event) {
      store.save(state);
      hub.publishTwin(result.event, state.things[result.event.thingId]);
    }
  };

  /**
   * A device's twin retrieve (the connector's local-twins sync asks for its desired properties) is answered
   * as Ditto answers it through Hono: a one-way command to the device carrying the response, with the
   * request's correlation-id. The whole resource is returned (the envelope's `fields` selector is not applied).
   */
  const answerRetrieve = (request: DittoEnvelope, thingId: string) => {
    if (!isResponseRequired(request.headers)) return;
    const thing = state.things[thingId];
    const read = thing === undefined ? ({ ok: false, error: DittoErrors.thingNotFound(thingId) } as const) : readPath(thing, request.path);
    const correlationId = getCorrelationId(request.headers);
    const headers = { ...(correlationId === undefined ? {} : { 'correlation-id': correlationId }), 'content-type': 'application/json' };
    const [namespace, ...name] = thingId.split(':');
    const response: DittoEnvelope = read.ok
      ? { topic: request.topic, headers, path: request.path, value: read.value, status: 200 }
      : { topic: `${namespace}/${name.join(':')}/things/twin/errors`, headers, path: request.path, value: read.error, status: read.error.status };
    void options.link
      .sendCommand({ device: { tenant: options.tenant, deviceId: thingId }, requestId: '', subject: 'retrieve', payload: Buffer.from(JSON.stringify(response)) })
      .then((taken) => {
        if (!taken) log.debug({ thingId }, 'retrieve answer not delivered: the device is gone');
      });
  };

  return {
    async start() {
      if (phase !== 'new') return;
      state = await store.load();
      if (phase !== 'new') return; // closed while loading
      unsubscribe = options.link.onMessage((m) => {
        try {
          onDeviceMessage(m);
        } catch (err) {
          log.error({ err, deviceId: m.device.deviceId }, 'device message failed');
        }
      });
      phase = 'running';
      log.info({ dataDir: options.dataDir, things: Object.keys(state.things).length }, 'Ditto API ready');
    },
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/api/2' && !url.pathname.startsWith('/api/2/')) return false;
      try {
        if (!authorized(req, options.auth)) sendError(res, DittoErrors.unauthorized(), WWW_AUTHENTICATE);
        else if (phase !== 'running') sendError(res, DittoErrors.unavailable());
        else await routeDitto(req, res, url, { state: () => state, hub, messenger, maxBodyBytes: settings.maxBodyBytes });
      } catch (err) {
        log.error({ err, url: req.url }, 'Ditto request failed');
        if (!res.headersSent) sendError(res, { status: 500, error: 'gateway:internal.error', message: 'The request failed.', description: 'See the development cloud\'s log.' });
        else res.destroy();
      }
      return true;
    },
    close: onlyOnce(async () => {
      phase = 'closed';
      unsubscribe();
      hub.close();
      messenger.close();
      await store.flush();
    }),
  };
}
