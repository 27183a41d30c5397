// One desired-state activity at a time across the update agents (Kanto update-manager
// updatem/orchestration/update_orchestrator*.go): IDENTIFYING (each domain gets its slice) → IDENTIFIED →
// RUNNING with DOWNLOAD → UPDATE → ACTIVATE → CLEANUP, each command sent to the domains in the state it
// needs, owner consent before the configured ones, each phase bounded → COMPLETED | INCOMPLETE |
// IDENTIFICATION_FAILED. Kanto drives this with goroutines and channels; here it is event-driven: agent
// feedback, the owner's answer and timers call in, the rules are phases.ts, I/O goes through the AgentLink
// and the report/askConsent callbacks, and time through the injected scheduler.
import { desiredStateForDomain, type Action, type Command, type ConsentStatus, type DesiredStateFeedback, type Status } from '@ledge/shared/model-update';
import { applicableDesiredState, reportedActions, type AgentSettings } from '@ledge/update-manager/model-update-manager';
import { systemScheduler, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';
import type { AgentLink } from './agent-link';
import { formatDuration, isFinished, nextPhase, PHASE_RULES, terminalOutcome, type Phase } from './phases';

export interface OrchestratorOptions {
  readonly phaseTimeoutMs: number;
  readonly ownerConsentTimeoutMs: number;
  readonly ownerConsentCommands: readonly Command[];
  /** Ledge: a failing domain undoes the activity (ROLLBACK, CLEANUP); false: Kanto's rule. */
  readonly rollbackOnFailure: boolean;
}

export const defaultOrchestratorOptions: OrchestratorOptions = Object.freeze({ phaseTimeoutMs: 600_000, ownerConsentTimeoutMs: 1_800_000, ownerConsentCommands: [], rollbackOnFailure: true });

export type FinalStatus = 'COMPLETED' | 'INCOMPLETE' | 'IDENTIFICATION_FAILED';

export interface ActivityOutcome {
  readonly activityId: string;
  readonly status: FinalStatus;
  readonly message?: string;
  /** COMPLETED with actions in a domain whose agent requires a reboot. */
  readonly rebootRequired: boolean;
}

export interface OrchestratorDeps {
  readonly link: AgentLink;
  readonly agents: readonly AgentSettings[];
  readonly options?: Partial<OrchestratorOptions>;
  /** Phase and consent timeouts; default the system's. */
  readonly scheduler?: Scheduler;
  readonly logger: Logger;
  /** The manager's feedback for an activity (RUNNING as often as it changes: the publisher throttles). */
  report(activityId: string, feedback: DesiredStateFeedback): void;
  /** Ask the owner before `command`; the answer comes back through `consent()`. */
  askConsent(activityId: string, command: Command): void;
  onFinished?(outcome: ActivityOutcome): void;
}

export interface Orchestrator {
  /** A desired state from the cloud or the local API (untrusted: checked here). */
  apply(activityId: string, desiredState: unknown): void;
  /** The owner's answer; false when no consent is pending for that activity. */
  consent(activityId: string, status: ConsentStatus): boolean;
  readonly current: { readonly activityId: string; readonly status: Status; readonly phase?: Phase; readonly awaitingConsent?: Phase } | undefined;
  /** Ends a running activity INCOMPLETE with this message (the manager is stopping). */
  abort(message: string): void;
  close(): void;
}

interface DomainState {
  readonly id: string;
  status: Status;
  /** The last status the agent reported, for a stall's message. */
  last?: Status;
  actions: Map<string, Action>;
  /** CLEANUP sent, not answered yet. */
  cleaning: boolean;
}

interface Activity {
  readonly activityId: string;
  readonly domains: Map<string, DomainState>;
  status: 'IDENTIFYING' | 'RUNNING';
  phase?: Phase;
  pending: Set<string>;
  awaitingConsent?: Phase;
  undoing: boolean;
  readonly failures: string[];
  readonly rolledBack: string[];
  readonly timers: Set<Timer>;
  phaseTimer?: Timer;
}

const COMMAND_PHASES: readonly Phase[] = ['DOWNLOAD', 'UPDATE', 'ACTIVATE'];

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const options = { ...defaultOrchestratorOptions, ...deps.options };
  const scheduler = deps.scheduler ?? systemScheduler;
  const log = deps.logger.child({ component: 'orchestrator' });
  const agents = new Map(deps.agents.map((a) => [a.domain, a]));
  let current: Activity | undefined;
  let closed = false;

  const actionsOf = (a: Activity) => reportedActions([...a.domains].map(([id, d]) => [id, d.actions] as const));
  const report = (a: Activity, status: Status, message?: string) => {
    const actions = actionsOf(a);
    deps.report(a.activityId, { status, ...(message ? { message } : {}), ...(actions.length > 0 ? { actions } : {}) });
  };
  const timer = (a: Activity, ms: number, fn: () => void) => {
    const t = scheduler.setTimeout(() => {
      a.timers.delete(t);
      if (current === a) fn();
    }, ms);
    a.timers.add(t);
    return t;
  };

  const finish = (a: Activity, status: FinalStatus, message?: string) => {
    for (const t of a.timers) t.cancel();
    a.timers.clear();
    current = undefined;
    report(a, status, message);
    const rebootRequired = status === 'COMPLETED' && [...a.domains.values()].some((d) => d.actions.size > 0 && agents.get(d.id)?.rebootRequired === true);
    log.info({ activityId: a.activityId, status, message, rebootRequired }, 'activity finished');
    deps.onFinished?.({ activityId: a.activityId, status, ...(message ? { message } : {}), rebootRequired });
  };

  const failureMessage = (a: Activity) => [...a.failures, ...(a.rolledBack.length > 0 ? [`rolled back: ${a.rolledBack.join(', ')}`] : [])].join('; ');

  const send = (a: Activity, d: DomainState, command: Phase) => {
    if (command === 'CLEANUP') d.cleaning = true;
    // Kanto: a command that cannot be sent makes the domain INCOMPLETE (domain/update_manager.go Command).
    deps.link.sendCommand(d.id, a.activityId, { command }).catch((err: unknown) => feedback(d.id, a.activityId, { status: 'INCOMPLETE', message: `cannot send ${command}: ${(err as Error).message}` }));
  };

  const stalled = (a: Activity, what: string) => {
    const who = [...a.pending].map((id) => `${id} (last status ${a.domains.get(id)?.last ?? 'none'})`).join(', ');
    const message = `${what} did not finish within ${formatDuration(options.phaseTimeoutMs)}: ${who}`;
    log.warn({ activityId: a.activityId, pending: [...a.pending] }, 'activity stalled');
    finish(a, a.status === 'IDENTIFYING' ? 'IDENTIFICATION_FAILED' : 'INCOMPLETE', [...a.failures, message].join('; '));
  };

  const settle = (a: Activity) => {
    if (current !== a || a.pending.size > 0 || a.awaitingConsent !== undefined) return;
    if (a.status === 'IDENTIFYING') return identified(a);
    a.phaseTimer?.cancel();
    const next = a.phase === undefined ? 'DOWNLOAD' : nextPhase(a.phase, a.undoing);
    if (next === undefined) return finish(a, a.failures.length > 0 ? 'INCOMPLETE' : 'COMPLETED', a.failures.length > 0 ? failureMessage(a) : undefined);
    startPhase(a, next);
  };

  const identified = (a: Activity) => {
    a.phaseTimer?.cancel();
    if (a.failures.length > 0) return finish(a, 'IDENTIFICATION_FAILED', a.failures.join('; '));
    report(a, 'IDENTIFIED');
    if (![...a.domains.values()].some((d) => d.status === 'IDENTIFIED')) return finish(a, 'COMPLETED');
    a.status = 'RUNNING';
    report(a, 'RUNNING');
    startPhase(a, 'DOWNLOAD');
  };

  const startPhase = (a: Activity, phase: Phase) => {
    a.phase = phase;
    const rule = PHASE_RULES[phase];
    const all = [...a.domains.values()];
    const targets = phase === 'CLEANUP' ? all.filter((d) => !isFinished(d.status) && !d.cleaning) : all.filter((d) => rule.from.includes(d.status));
    const waiting = phase === 'CLEANUP' ? all.filter((d) => d.cleaning) : [];
    a.pending = new Set([...targets, ...waiting].map((d) => d.id));
    if (a.pending.size === 0) return settle(a);
    if (targets.length > 0 && COMMAND_PHASES.includes(phase) && options.ownerConsentCommands.includes(phase)) {
      a.awaitingConsent = phase;
      a.phaseTimer = timer(a, options.ownerConsentTimeoutMs, () => refused(a, phase, `no owner consent for ${phase} within ${formatDuration(options.ownerConsentTimeoutMs)}`));
      log.info({ activityId: a.activityId, command: phase }, 'asking the owner');
      deps.askConsent(a.activityId, phase);
      return;
    }
    run(a, phase, targets);
  };

  const run = (a: Activity, phase: Phase, targets: readonly DomainState[]) => {
    a.phaseTimer?.cancel();
    a.phaseTimer = timer(a, options.phaseTimeoutMs, () => stalled(a, `${phase}`));
    log.info({ activityId: a.activityId, command: phase, domains: targets.map((d) => d.id) }, 'command');
    for (const d of targets) send(a, d, phase);
    report(a, 'RUNNING');
  };

  const refused = (a: Activity, phase: Phase, why: string) => {
    a.awaitingConsent = undefined;
    log.info({ activityId: a.activityId, command: phase, why }, 'owner consent not granted');
    // Kanto: refused before DOWNLOAD nothing has happened yet; before UPDATE/ACTIVATE, roll back.
    if (phase === 'DOWNLOAD') return finish(a, 'INCOMPLETE', why);
    a.failures.push(why);
    a.undoing = true;
    startPhase(a, 'ROLLBACK');
  };

  const identifying = (a: Activity, d: DomainState, fb: DesiredStateFeedback) => {
    if (d.status !== 'IDENTIFYING') return;
    const failed = fb.status === 'IDENTIFICATION_FAILED' || terminalOutcome(fb.status) !== undefined;
    if (fb.status === 'IDENTIFIED') d.status = (fb.actions?.length ?? 0) > 0 ? 'IDENTIFIED' : 'CLEANUP_SUCCESS'; // no actions: no commands (Kanto)
    else if (failed) {
      d.status = 'IDENTIFICATION_FAILED';
      a.failures.push(`${d.id}: ${fb.message ?? fb.status}`);
    } else return;
    a.pending.delete(d.id);
    settle(a);
  };

  const duringPhase = (a: Activity, d: DomainState, fb: DesiredStateFeedback) => {
    const outcome = terminalOutcome(fb.status);
    if (outcome !== undefined || (d.cleaning && (fb.status === 'CLEANUP_SUCCESS' || fb.status === 'CLEANUP_FAILURE'))) {
      if (isFinished(d.status)) return;
      if (outcome === 'CLEANUP_FAILURE') {
        a.failures.push(`${d.id}: ${fb.message ?? fb.status}`);
        if (options.rollbackOnFailure) a.undoing = true;
      }
      d.status = outcome ?? fb.status;
      d.cleaning = false;
      a.pending.delete(d.id);
      // A domain that ended on its own (its agent restarted and settled the update) while the owner is
      // asked: when no domain is left for the asked command, there is nothing to ask about. Kanto holds its
      // lock over the consent wait and sits out the whole consent timeout instead.
      if (a.awaitingConsent !== undefined && ![...a.domains.values()].some((x) => PHASE_RULES[a.awaitingConsent!].from.includes(x.status))) {
        log.info({ activityId: a.activityId, command: a.awaitingConsent, domain: d.id }, 'owner consent no longer needed: no domain left for the command');
        a.awaitingConsent = undefined;
        a.phaseTimer?.cancel();
      }
      report(a, 'RUNNING');
      return settle(a);
    }
    if (a.phase === undefined || !a.pending.has(d.id) || d.cleaning) return report(a, 'RUNNING');
    const rule = PHASE_RULES[a.phase];
    if (fb.status === rule.doing) return report(a, 'RUNNING');
    if (fb.status !== rule.success && fb.status !== rule.failure) return void log.debug({ domain: d.id, status: fb.status, phase: a.phase }, 'feedback out of phase ignored');
    d.status = fb.status;
    a.pending.delete(d.id);
    if (fb.status === rule.failure) {
      if (a.phase !== 'CLEANUP') a.failures.push(`${d.id}: ${fb.status}${fb.message ? `: ${fb.message}` : ''}`);
      if (a.phase !== 'CLEANUP' && options.rollbackOnFailure && a.phase !== 'ROLLBACK') a.undoing = true;
      else if (a.phase !== 'CLEANUP') send(a, d, 'CLEANUP'); // Kanto: the failing domain alone is cleaned up at once
    } else if (a.phase === 'ROLLBACK') a.rolledBack.push(d.id);
    report(a, 'RUNNING');
    settle(a);
  };

  const feedback = (domain: string, activityId: string, fb: DesiredStateFeedback) => {
    const a = current;
    const d = a?.domains.get(domain);
    if (a === undefined || a.activityId !== activityId || d === undefined) return void log.debug({ domain, activityId, status: fb.status }, 'feedback of no running activity ignored');
    for (const action of fb.actions ?? []) d.actions.set(action.component.id, action);
    d.last = fb.status;
    if (a.status === 'IDENTIFYING') identifying(a, d, fb);
    else duringPhase(a, d, fb);
  };

  const unsubscribe = deps.link.onFeedback(feedback);

  return {
    apply(activityId, raw) {
      if (closed) return;
      if (current !== undefined) {
        // Kanto answers the same (update_manager.go checkIfInProgress); the running activity goes on.
        log.warn({ activityId, running: current.activityId }, 'desired state refused: another activity is running');
        return deps.report(activityId, { status: 'IDENTIFICATION_FAILED', message: `another update activity is in progress: ${current.activityId}` });
      }
      const checked = applicableDesiredState(raw, [...agents.keys()]);
      if (!checked.ok) {
        const message = checked.problems.join('; ');
        log.warn({ activityId, problems: checked.problems }, 'desired state refused');
        deps.report(activityId, { status: 'IDENTIFICATION_FAILED', message });
        return deps.onFinished?.({ activityId, status: 'IDENTIFICATION_FAILED', message, rebootRequired: false });
      }
      const state = checked.desiredState;
      const domains = new Map(state.domains.map((x): [string, DomainState] => [x.id, { id: x.id, status: 'IDENTIFYING', actions: new Map(), cleaning: false }]));
      const a: Activity = { activityId, domains, status: 'IDENTIFYING', pending: new Set(domains.keys()), undoing: false, failures: [], rolledBack: [], timers: new Set() };
      current = a;
      log.info({ activityId, domains: [...domains.keys()] }, 'activity started');
      report(a, 'IDENTIFYING');
      a.phaseTimer = timer(a, options.phaseTimeoutMs, () => stalled(a, 'identification'));
      for (const d of domains.values()) {
        const readTimeoutMs = agents.get(d.id)!.readTimeoutMs;
        timer(a, readTimeoutMs, () => d.last === undefined && identifying(a, d, { status: 'IDENTIFICATION_FAILED', message: `no answer to the desired state within ${formatDuration(readTimeoutMs)}` }));
        deps.link
          .sendDesiredState(d.id, activityId, desiredStateForDomain(state, d.id)!)
          .catch((err: unknown) => feedback(d.id, activityId, { status: 'IDENTIFICATION_FAILED', message: `cannot send the desired state: ${(err as Error).message}` }));
      }
    },
    consent(activityId, status) {
      const a = current;
      const phase = a?.awaitingConsent;
      if (a === undefined || a.activityId !== activityId || phase === undefined) return false;
      a.awaitingConsent = undefined;
      a.phaseTimer?.cancel();
      if (status !== 'APPROVED') refused(a, phase, `the owner denied ${phase}`);
      else run(a, phase, [...a.domains.values()].filter((d) => PHASE_RULES[phase].from.includes(d.status)));
      return true;
    },
    get current() {
      const a = current;
      return a && { activityId: a.activityId, status: a.status, ...(a.phase ? { phase: a.phase } : {}), ...(a.awaitingConsent ? { awaitingConsent: a.awaitingConsent } : {}) };
    },
    abort(message) {
      if (current !== undefined) finish(current, 'INCOMPLETE', [...current.failures, message].join('; '));
    },
    close() {
      closed = true;
      unsubscribe();
      if (current !== undefined) for (const t of current.timers) t.cancel();
    },
  };
}
