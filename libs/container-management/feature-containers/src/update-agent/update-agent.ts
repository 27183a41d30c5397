// The containers update agent (issue 18; Kanto containerm/updateagent): the update manager's agent for the
// `containers` domain on the local bus (update-manager docs/update-agent-api.md). A desired state is
// identified into actions; DOWNLOAD, UPDATE, ACTIVATE, CLEANUP and ROLLBACK then run them (operation.ts);
// feedback goes to `desiredstatefeedback` (QoS 1) and the inventory to `currentstate` (QoS 1, retained).
// Messages are handled one at a time, in order: one operation at a time. Beyond Kanto: the activation
// gate, a rollback from any point, a restart in the middle settled from the journal, refusals answered.
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { envelope, parseEnvelope, updateTopics, type DesiredStateFeedback, type UpdateTopics } from '@ledge/shared/model-update';
import { onlyOnce, systemScheduler, type Logger, type Scheduler } from '@ledge/shared/util';
import type { ContainerManager } from '../manager';
import { updateMessageInvalidError } from '../errors';
import { createActivationGate, type ActivationGate } from './activation-gate';
import { createMessageHandlers } from './agent-messages';
import { currentState } from './current-state';
import { createJournalStore, type JournalStore } from './journal';
import { createOperation } from './operation';
import { recoverInterrupted } from './recovery';
import { createStateReporter } from './state-reporter';

export interface UpdateAgentOptions {
  bus: LocalBusClient;
  manager: ContainerManager;
  logger: Logger;
  /** Where the journal of an update in progress lives (`<homeDir>/update-agent/`), unless `journal` is given. */
  homeDir: string;
  domain?: string;
  /** Containers the agent never changes nor removes. */
  systemContainers?: readonly string[];
  /** Report every parameter of every container, defaults included. */
  verboseInventoryReport?: boolean;
  /** How long ACTIVATE waits for the new and changed containers to run (and be healthy). */
  activationTimeoutMs?: number;
  /** Default: the manager's waitHealthy (activation-gate.ts). */
  gate?: ActivationGate;
  journal?: JournalStore;
  /** The current-state debounce; default the system's timers. */
  scheduler?: Scheduler;
  /** Envelope timestamps; default Date.now. */
  now?: () => number;
  /** Debounce of the current-state report after container changes. */
  reportDelayMs?: number;
  /** The agent's own node's version; default LEDGE_VERSION or 'dev'. */
  version?: string;
}

export const defaultUpdateAgentOptions = Object.freeze({ domain: 'containers', systemContainers: [] as readonly string[], verboseInventoryReport: false, activationTimeoutMs: 60_000, reportDelayMs: 1000 });

export interface UpdateAgent {
  readonly topics: UpdateTopics;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once every message received so far is handled. */
  idle(): Promise<void>;
}

/** Kanto's activityId of the report an agent makes when it starts (update-manager mqtt/update_agent_client.go). */
const INITIAL_ACTIVITY_PREFIX = 'initial-current-state-';

export function createUpdateAgent(options: UpdateAgentOptions): UpdateAgent {
  const o = { ...defaultUpdateAgentOptions, ...options };
  const { bus, manager } = o;
  const scheduler = o.scheduler ?? systemScheduler;
  const now = o.now ?? Date.now;
  const topics = updateTopics(o.domain);
  const log = o.logger.child({ component: 'update-agent', domain: o.domain });
  const journal = o.journal ?? createJournalStore(o.homeDir, o.domain);
  const gate = o.gate ?? createActivationGate(manager);
  const version = o.version ?? process.env['LEDGE_VERSION'] ?? 'dev';
  const reporter = createStateReporter({ bus, topic: topics.currentState, inventory: () => currentState(o.domain, manager.list(), { verbose: o.verboseInventoryReport, version }), scheduler, now, delayMs: o.reportDelayMs, log });
  const removers: (() => void)[] = [];
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const send = (activityId: string, feedback: DesiredStateFeedback) =>
    bus.publish(topics.feedback, JSON.stringify(envelope(activityId, feedback, now())), { qos: 1 }).catch((err: unknown) => log.warn({ err, activityId, status: feedback.status }, 'update feedback not published'));
  const messages = createMessageHandlers({
    domain: o.domain,
    systemContainers: o.systemContainers,
    manager,
    log,
    commandTopic: topics.command,
    send,
    reportNow: (activityId) => reporter.now(activityId),
    newOperation: (activityId, actions) => createOperation(activityId, actions, { manager, log, gate, activationTimeoutMs: o.activationTimeoutMs, journal, send: (f) => send(activityId, f) }),
  });

  /** Queued behind what came before; a command's container changes are reported once it ends. */
  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(async () => {
      if (closed) return;
      reporter.hold();
      try {
        await work();
      } catch (err) {
        log.error({ err }, 'update agent message failed');
      } finally {
        reporter.release();
      }
    });
  };

  /** Parses the envelope; a message without a usable one is logged (it cannot be answered). */
  const handler = (handle: (activityId: string, payload: unknown) => Promise<void>, allowEmptyActivity = false) => (topic: string, payload: Buffer) => {
    const env = parseEnvelope(payload, { allowEmptyActivity });
    if (!env.ok) return void log.warn({ err: updateMessageInvalidError(topic, env.problems) }, 'update message refused');
    enqueue(() => handle(env.envelope.activityId, env.envelope.payload));
  };

  return {
    topics,
    idle: async () => {
      for (let prev; prev !== chain; ) await (prev = chain);
    },
    async start() {
      const recovered = await recoverInterrupted({ manager, journal, log });
      removers.push(
        manager.onEvent(() => reporter.changed()),
        bus.onMessage(topics.desiredState, handler(messages.desiredState)),
        bus.onMessage(topics.command, handler(messages.command)),
        // Answered at once, not behind an operation: reading the state never waits.
        bus.onMessage(topics.currentStateGet, (topic, payload) => {
          const env = parseEnvelope(payload.length === 0 ? '{}' : payload, { allowEmptyActivity: true });
          if (!env.ok) log.warn({ err: updateMessageInvalidError(topic, env.problems) }, 'current state request with a bad envelope answered anyway');
          void reporter.now(env.ok && env.envelope.activityId !== '' ? env.envelope.activityId : `${INITIAL_ACTIVITY_PREFIX}${now()}`);
        }),
      );
      const onConnected = () => void reporter.now('');
      bus.on('connected', onConnected);
      removers.push(() => bus.off('connected', onConnected));
      await bus.subscribe([topics.desiredState, topics.command, topics.currentStateGet], { qos: 1 });
      if (recovered) await send(recovered.activityId, { status: recovered.completed ? 'COMPLETED' : 'INCOMPLETE', message: recovered.message });
      await reporter.now(`${INITIAL_ACTIVITY_PREFIX}${now()}`);
      log.info({ topics: topics.desiredState, systemContainers: o.systemContainers }, 'containers update agent started');
    },
    close: onlyOnce(async () => {
      for (const remove of removers.splice(0)) remove();
      await bus.unsubscribe([topics.desiredState, topics.command, topics.currentStateGet]).catch((err: unknown) => log.debug({ err }, 'update agent unsubscribe failed'));
      // Stop taking work, let the running message end: an operation stops between commands, never mid-step.
      closed = true;
      await chain;
      reporter.close();
    }),
  };
}
