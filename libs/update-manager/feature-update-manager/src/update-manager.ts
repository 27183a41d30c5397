// The update-manager app (Eclipse Kanto update-manager, issue 18): the local API on <domain>update/…
// (always), the UpdateManager feature on the gateway thing (thingsEnabled), the orchestrator over the
// update agents, the device's current state, and what follows an activity. Local bus → agent link →
// orchestrator → feedback publisher → local API + feature.
import { randomBytes } from 'node:crypto';
import { createDittoAgent, createLocalBusClient, localBusClientOptions, type LocalBusClient } from '@ledge/shared/data-access-mqtt';
import type { AppHealth } from '@ledge/shared/model-edge';
import type { ConsentStatus } from '@ledge/shared/model-update';
import { managerNode } from '@ledge/update-manager/model-update-manager';
import { createCloser, systemScheduler, type App, type Logger, type Scheduler } from '@ledge/shared/util';
import { createAfterActivity } from './after-activity';
import { createBusAgentLink, type AgentLink } from './agent-link';
import { createCurrentState } from './current-state';
import { createFeedbackPublisher } from './feedback-publisher';
import { createLocalApi } from './local-api';
import { createOrchestrator, type Orchestrator } from './orchestrator';
import { createOutputs } from './outputs';
import { systemdReboot, type Reboot } from './reboot';
import { managerSettings, type UpdateManagerConfig } from './settings';
import { createUpdateManagerFeature } from './update-manager-feature';

export interface UpdateManagerDeps {
  readonly logger: Logger;
  /** The local bus; default a client for the config's local bus settings. */
  readonly bus?: LocalBusClient;
  /** How the agents are reached; default over the bus. */
  readonly link?: AgentLink;
  /** Every timer of the manager (phase and consent timeouts, throttled reports, the reboot delay); default the system's. */
  readonly scheduler?: Scheduler;
  readonly now?: () => number;
  /** Default `systemctl reboot`. */
  readonly reboot?: Reboot;
  /** The manager's software node version; default LEDGE_VERSION or `dev`. */
  readonly version?: string;
  readonly newCorrelationId?: () => string;
  readonly health?: { details(fn: () => Pick<AppHealth, 'lastOperation'>): void; refresh(): void };
}

export interface UpdateManagerApp extends App {
  readonly orchestrator: Orchestrator;
}

export function createUpdateManager(config: UpdateManagerConfig, deps: UpdateManagerDeps): UpdateManagerApp {
  const settings = managerSettings(config);
  const log = deps.logger.child({ component: 'update-manager' });
  const scheduler = deps.scheduler ?? systemScheduler;
  const now = deps.now ?? Date.now;
  const clientId = `ledge-update-manager-${randomBytes(4).toString('hex')}`;
  const bus = deps.bus ?? createLocalBusClient({ ...localBusClientOptions(config), clientId, backoff: { initialMs: 1000, maxMs: 5000 }, logger: deps.logger });
  const link = deps.link ?? createBusAgentLink({ bus, domains: settings.agents.map((a) => a.domain), now, logger: deps.logger });
  const ditto = config.thingsEnabled ? createDittoAgent({ bus, logger: deps.logger, thingSuffix: '' }) : undefined;
  const warn = (what: string) => (err: unknown) => log.warn({ err }, what);

  // What comes in, by the local API or by the feature: the same handlers.
  const intake = {
    apply: (activityId: string, desiredState: unknown) => orchestrator.apply(activityId, desiredState),
    refresh: (activityId: string) => void currentState.refresh(activityId).catch(warn('current state refresh failed')),
    consent: (activityId: string, status: ConsentStatus) => void orchestrator.consent(activityId, status),
    refused: (activityId: string, problems: readonly string[]) => publisher.report(activityId, { status: 'IDENTIFICATION_FAILED', message: problems.join('; ') }),
  };
  const local = createLocalApi({ bus, domain: settings.domain, now, logger: deps.logger, handlers: intake });
  const feature =
    ditto &&
    createUpdateManagerFeature({ agent: ditto, domain: settings.domain, now, logger: deps.logger, handlers: intake, ...(deps.newCorrelationId ? { newCorrelationId: deps.newCorrelationId } : {}) });
  const out = createOutputs(local, feature, log);
  const publisher = createFeedbackPublisher({ intervalMs: settings.reportFeedbackIntervalMs, scheduler, publish: out.feedback });
  const currentState = createCurrentState({
    link,
    agents: settings.agents,
    manager: managerNode(settings.domain, deps.version ?? process.env['LEDGE_VERSION'] ?? 'dev'),
    delayMs: settings.currentStateDelayMs,
    scheduler,
    logger: deps.logger,
    publish: out.currentState,
  });
  let lastOperation: AppHealth['lastOperation'];
  deps.health?.details(() => (lastOperation ? { lastOperation } : {}));
  const after = createAfterActivity({
    refresh: (activityId) => currentState.refresh(activityId),
    reboot: deps.reboot ?? systemdReboot(),
    rebootEnabled: settings.rebootEnabled,
    rebootAfterMs: settings.rebootAfterMs,
    scheduler,
    now,
    logger: deps.logger,
    onOutcome: (op) => {
      lastOperation = op;
      deps.health?.refresh();
    },
  });
  const orchestrator = createOrchestrator({
    link,
    agents: settings.agents,
    options: settings.orchestrator,
    scheduler,
    logger: deps.logger,
    report: (activityId, fb) => publisher.report(activityId, fb),
    askConsent: out.askConsent,
    onFinished: (outcome) => after.handle(outcome),
  });
  ditto?.onThing(() => void feature?.register().catch(warn('feature registration failed')));

  const closer = createCloser(log);
  return {
    orchestrator,
    async start() {
      // Close steps run in reverse: a running activity ends INCOMPLETE (through the local API and the
      // feature, still up), intake stops, waiting refreshes are let go, the agents' topics and the bus last.
      if (deps.bus === undefined) {
        await bus.start();
        closer.add('bus', () => bus.close());
      }
      closer.add('agent link', () => link.close());
      await link.start();
      closer.add('after activity', () => after.close());
      closer.add('current state', () => currentState.close());
      closer.add('feedback', () => publisher.close());
      closer.add('local API', () => local.close());
      await local.start();
      if (ditto && feature) {
        closer.add('ditto agent', () => ditto.close());
        closer.add('feature', () => feature.close());
        await ditto.start();
      }
      closer.add('orchestrator', () => {
        orchestrator.abort('the update manager stopped');
        orchestrator.close();
      });
      // Kanto reports the device's current state once connected (mqtt/update_agent_client.go onConnect).
      void currentState.refresh(`initial-current-state-${now()}`).catch(warn('initial current state failed'));
      log.info({ domain: settings.domain, agents: settings.agents.map((a) => a.domain), thingsEnabled: config.thingsEnabled, broker: config.localAddress }, 'update manager started');
    },
    close: () => closer.close(),
  };
}
