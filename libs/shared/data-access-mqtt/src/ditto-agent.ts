// The local Ditto endpoint every feature app uses (software-update, file-upload, container management):
// learns the thing identity, listens for its commands (long and short form, each handled once),
// dispatches feature inbox messages to handlers, answers with responses or Ditto errors, and publishes
// twin modifies/deletes and live outbox messages as events. Routing decisions are the pure functions of
// ditto-routing.ts.
import {
  buildLiveMessage,
  buildResponse,
  buildTwinDelete,
  buildTwinModify,
  getCorrelationId,
  parseThingId,
  type DittoEnvelope,
  type DittoHeaders,
  type ThingId,
} from '@ledge/shared/model-ditto';
import type { ThingIdentity } from '@ledge/shared/model-edge';
import { createLogger, isLedgeError, onlyOnce, type Logger } from '@ledge/shared/util';
import { agentAddress, commandFilters, deliveryKey, dittoErrorCodeOf, errorFor, eventTopic, responseTopic, routeInbound, type AgentAddress } from './ditto-routing';
import { closedError } from './errors';
import { createIdentityWatcher, type IdentityWatcher } from './identity-watcher';
import type { LocalBusClient } from './types';

export interface DittoCommand {
  readonly envelope: DittoEnvelope;
  readonly thingId: string;
  readonly featureId: string;
  /** The inbox message subject, e.g. `install`, `create`, `trigger`. */
  readonly operation: string;
  /** Untrusted: validate it. */
  readonly value: unknown;
  readonly correlationId: string | undefined;
}

/**
 * Return nothing → 204; `{status, value}` → that response. A thrown LedgeError maps by kind:
 * InvalidArgument → 400 messages:parameter.invalid, NotFound → 404 messages:subject.notfound, anything
 * else → 500 messages:execution.failed; the error's message is the Ditto error's message.
 */
export type DittoCommandHandler = (command: DittoCommand) => Promise<void | { status: number; value?: unknown }>;

export interface DittoAgentOptions {
  readonly bus: LocalBusClient;
  readonly logger?: Logger;
  /** '' = the gateway thing (`<deviceId>`), ':edge:containers' = the containers thing. */
  readonly thingSuffix: string;
  /** Share one identity watcher between components; by default the agent runs its own. */
  readonly identity?: IdentityWatcher;
  /** How long a command's second copy (the other topic form) is recognised; default 60 s. */
  readonly duplicateWindowMs?: number;
  /** Largest envelope accepted; default 1 MiB. */
  readonly maxPayloadBytes?: number;
}

export interface DittoAgent {
  readonly identity: ThingIdentity | undefined;
  readonly thingId: string | undefined;
  /** Fires once the identity is known and whenever it changes (re-register features then). */
  onThing(listener: (thingId: string, identity: ThingIdentity) => void): () => void;
  /**
   * Handles inbox messages for a feature (exact ID, or a predicate for `Container:<id>`). With
   * `operations`, other subjects get 404 without calling the handler; a malformed request naming the
   * feature gets 400. Commands for features this agent does not handle are left alone: another app on
   * the same thing owns them (Kanto's dispatch rule). Returns an unregister function.
   */
  handle(feature: string | ((featureId: string) => boolean), handler: DittoCommandHandler, operations?: readonly string[]): () => void;
  /** Twin modify on this thing, e.g. path `/features/SoftwareUpdatable/properties/status/lastOperation`. */
  modify(path: string, value: unknown): Promise<void>;
  delete(path: string): Promise<void>;
  /** Live message from a feature's outbox, e.g. ('Metrics', 'data', {...}); `headers` add to (and override) the defaults. */
  message(featureId: string, subject: string, value: unknown, headers?: DittoHeaders): Promise<void>;
  /** Resolves with the thing ID once known; rejects when the agent closes. */
  ready(signal?: AbortSignal): Promise<string>;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface Registration {
  readonly matches: (featureId: string) => boolean;
  readonly handler: DittoCommandHandler;
  readonly operations: ReadonlySet<string> | undefined;
}

export function createDittoAgent(options: DittoAgentOptions): DittoAgent {
  const { bus, thingSuffix } = options;
  const parentLogger = options.logger ?? createLogger({ name: 'ledge', level: 'silent' });
  const logger = parentLogger.child({ component: 'ditto-agent' });
  const windowMs = options.duplicateWindowMs ?? 60_000;
  const maxBytes = options.maxPayloadBytes ?? 1024 * 1024;
  const ownsWatcher = options.identity === undefined;
  // The parent's logger: a child of ours would carry a second "component" key on every line.
  const watcher = options.identity ?? createIdentityWatcher({ client: bus, logger: parentLogger });
  const registrations = new Set<Registration>();
  const thingListeners = new Set<(thingId: string, identity: ThingIdentity) => void>();
  const seen = new Map<string, number>();
  let address: AgentAddress | undefined;
  let thing: ThingId | undefined;
  let identity: ThingIdentity | undefined;
  let removeHandlers: (() => void)[] = [];
  let subscribed: string[] = [];
  let closed = false;
  let started = false;
  const readyWaiters = new Set<{ resolve: (id: string) => void; reject: (e: unknown) => void }>();
  const inflight = new Set<Promise<void>>();

  const forget = (now: number) => {
    for (const [k, at] of seen) {
      if (now - at <= windowMs && seen.size <= 10_000) break;
      seen.delete(k);
    }
  };

  const publish = async (envelope: DittoEnvelope, topic: string) => {
    await bus.publish(topic, JSON.stringify(envelope), { qos: 1 });
  };

  const respond = async (topicAddress: AgentAddress, requestId: string, envelope: DittoEnvelope) => {
    const status = envelope.status ?? 204;
    await publish(envelope, responseTopic(topicAddress, requestId, status));
  };

  const ownerOf = (featureId: string) => [...registrations].find((r) => r.matches(featureId));
  const owns = (featureId: string) => ownerOf(featureId) !== undefined;

  const dispatch = async (topic: string, payload: Buffer) => {
    const at = address;
    if (at === undefined || closed) return;
    const routed = routeInbound(topic, payload, at, owns, maxBytes);
    if (routed.kind === 'ignore') {
      logger.debug({ topic, reason: routed.reason }, 'command ignored');
      return;
    }
    if (routed.kind === 'invalid') {
      logger.warn({ topic, problems: routed.problems }, 'invalid command');
      if (routed.requestId !== '') await respond(at, routed.requestId, routed.response);
      return;
    }
    const { envelope, featureId, operation, requestId } = routed;
    const now = Date.now();
    forget(now);
    const key = deliveryKey(requestId, envelope, payload);
    if (seen.has(key)) {
      logger.debug({ topic, requestId }, 'second copy of a command dropped');
      return;
    }
    seen.set(key, now);
    const log = logger.child({ featureId, operation, requestId });
    let reply: DittoEnvelope;
    const registration = ownerOf(featureId);
    if (registration === undefined) return; // routing let through only features we own, synchronously
    if (registration.operations !== undefined && !registration.operations.has(operation)) {
      reply = errorFor(envelope, 'subjectNotFound', `operation '${operation}' is not supported by feature '${featureId}'`);
    } else {
      try {
        const result = await registration.handler({
          envelope,
          thingId: at.thingId,
          featureId,
          operation,
          value: envelope.value,
          correlationId: getCorrelationId(envelope.headers),
        });
        reply = result === undefined ? buildResponse(envelope, { status: 204 }) : buildResponse(envelope, result.value === undefined ? { status: result.status } : result);
      } catch (err) {
        const kind = isLedgeError(err) ? err.kind : undefined;
        const message = err instanceof Error ? err.message : String(err);
        if (kind === undefined || kind === 'Internal') log.error({ err }, 'command failed');
        else log.info({ code: isLedgeError(err) ? err.code : undefined, message }, 'command refused');
        reply = errorFor(envelope, dittoErrorCodeOf(kind), message);
      }
    }
    if (routed.respond) await respond(at, requestId, reply);
  };

  // Returns the handling (it never rejects): a bus that waits for its handlers (the fake's idle()) sees it.
  const onCommand = (topic: string, payload: Buffer): Promise<void> => {
    const p = dispatch(topic, payload).catch((err: unknown) => logger.error({ err, topic }, 'command handling failed'));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  };

  const bind = async (id: ThingIdentity) => {
    const next = agentAddress(id.deviceId, id.tenantId, thingSuffix);
    const parsed = parseThingId(next.thingId);
    if (!parsed.ok) {
      logger.error({ thingId: next.thingId, problems: parsed.problems }, 'identity does not form a valid thing ID');
      return;
    }
    const filters = commandFilters(next);
    const old = subscribed;
    for (const remove of removeHandlers) remove();
    removeHandlers = filters.map((f) => bus.onMessage(f, onCommand));
    address = next;
    thing = parsed.thingId;
    identity = id;
    subscribed = filters;
    const stale = old.filter((f) => !filters.includes(f));
    const fresh = filters.filter((f) => !old.includes(f));
    if (stale.length > 0) await bus.unsubscribe(stale);
    if (fresh.length > 0) await bus.subscribe(fresh, { qos: 1 });
    logger.info({ thingId: next.thingId }, 'serving thing');
    for (const w of readyWaiters) w.resolve(next.thingId);
    readyWaiters.clear();
    for (const l of thingListeners) {
      try {
        l(next.thingId, id);
      } catch (err) {
        logger.error({ err }, 'thing listener failed');
      }
    }
  };

  const onIdentity = (id: ThingIdentity) => {
    bind(id).catch((err: unknown) => logger.error({ err }, 'binding to the thing failed'));
  };

  const requireThing = (): { thing: ThingId; address: AgentAddress } => {
    if (closed) throw closedError('Ditto agent');
    if (thing === undefined || address === undefined) throw closedError('Ditto agent (no thing identity yet)');
    return { thing, address };
  };

  return {
    get identity() {
      return identity;
    },
    get thingId() {
      return address?.thingId;
    },
    onThing(listener) {
      thingListeners.add(listener);
      return () => thingListeners.delete(listener);
    },
    handle(feature, handler, operations) {
      const r: Registration = {
        matches: typeof feature === 'string' ? (f) => f === feature : feature,
        handler,
        operations: operations === undefined ? undefined : new Set(operations),
      };
      registrations.add(r);
      return () => registrations.delete(r);
    },
    async modify(path, value) {
      const t = requireThing();
      await publish(buildTwinModify({ thingId: t.thing, path, value }), eventTopic(t.address));
    },
    async delete(path) {
      const t = requireThing();
      await publish(buildTwinDelete({ thingId: t.thing, path }), eventTopic(t.address));
    },
    async message(featureId, subject, value, headers) {
      const t = requireThing();
      await publish(buildLiveMessage({ thingId: t.thing, featureId, subject, value, ...(headers !== undefined ? { headers } : {}) }), eventTopic(t.address));
    },
    ready(signal) {
      if (address !== undefined) return Promise.resolve(address.thingId);
      if (closed) return Promise.reject(closedError('Ditto agent'));
      return new Promise<string>((resolve, reject) => {
        const w = { resolve, reject };
        readyWaiters.add(w);
        signal?.addEventListener('abort', () => readyWaiters.delete(w) && reject(signal.reason), { once: true });
      });
    },
    async start() {
      if (closed) throw closedError('Ditto agent');
      if (started) return;
      started = true;
      watcher.on('identity', onIdentity);
      if (watcher.current !== undefined) onIdentity(watcher.current);
      if (ownsWatcher) await watcher.start();
    },
    close: onlyOnce(async () => {
      closed = true;
      watcher.off('identity', onIdentity);
      for (const w of readyWaiters) w.reject(closedError('Ditto agent'));
      readyWaiters.clear();
      for (const remove of removeHandlers) remove();
      removeHandlers = [];
      await Promise.allSettled([...inflight]);
      if (subscribed.length > 0 && bus.connected) await bus.unsubscribe(subscribed).catch(() => undefined);
      subscribed = [];
      if (ownsWatcher) await watcher.close();
    }),
  };
}
