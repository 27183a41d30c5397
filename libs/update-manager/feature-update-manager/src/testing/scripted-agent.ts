// A scripted update agent (Kanto's update-agent-api.md from the agent's side) for tests: what it reports
// for a desired state and for each command, succeeding by default, or failing, stalling (reports the
// in-progress status, then nothing) or staying silent where the script says. Transport-free: the fake link
// and the integration spec's bus agent both feed it and send what it returns.
import type { Action, ActionStatus, Command, DesiredState, DesiredStateFeedback, Inventory, Status } from '@ledge/shared/model-update';

export type StepOutcome = 'success' | 'failure' | 'stall' | 'silent';

export interface AgentScript {
  /** Per step (IDENTIFY is the desired state), default success. */
  readonly steps?: Partial<Record<'IDENTIFY' | Command, StepOutcome>>;
  /** The desired state is what runs already: IDENTIFIED without actions. */
  readonly noop?: boolean;
}

export interface ScriptedAgent {
  readonly domain: string;
  /** Every input in order: `DESIRED_STATE`, then the commands. */
  readonly received: readonly string[];
  onDesiredState(state: DesiredState): DesiredStateFeedback[];
  onCommand(command: Command): DesiredStateFeedback[];
  currentState(): Inventory;
}

const STEP: Record<Command, { doing: Status; success: Status; failure: Status; action: [ActionStatus, ActionStatus, ActionStatus] }> = {
  DOWNLOAD: { doing: 'DOWNLOADING', success: 'DOWNLOAD_SUCCESS', failure: 'DOWNLOAD_FAILURE', action: ['DOWNLOADING', 'DOWNLOAD_SUCCESS', 'DOWNLOAD_FAILURE'] },
  UPDATE: { doing: 'UPDATING', success: 'UPDATE_SUCCESS', failure: 'UPDATE_FAILURE', action: ['UPDATING', 'UPDATE_SUCCESS', 'UPDATE_FAILURE'] },
  ACTIVATE: { doing: 'ACTIVATING', success: 'ACTIVATION_SUCCESS', failure: 'ACTIVATION_FAILURE', action: ['ACTIVATING', 'ACTIVATION_SUCCESS', 'ACTIVATION_FAILURE'] },
  ROLLBACK: { doing: 'ROLLBACK', success: 'ROLLBACK_SUCCESS', failure: 'ROLLBACK_FAILURE', action: ['UPDATING', 'UPDATE_FAILURE', 'UPDATE_FAILURE'] },
  CLEANUP: { doing: 'CLEANUP', success: 'CLEANUP_SUCCESS', failure: 'CLEANUP_FAILURE', action: ['IDENTIFIED', 'IDENTIFIED', 'IDENTIFIED'] },
};

export function createScriptedAgent(domain: string, script: AgentScript = {}): ScriptedAgent {
  const received: string[] = [];
  let actions: Action[] = [];
  let installed: { id: string; version?: string }[] = [];
  const withStatus = (status: ActionStatus, message?: string) => (actions = actions.map((a) => ({ component: a.component, status, ...(message ? { message } : {}) })));
  const fb = (status: Status, message?: string): DesiredStateFeedback => ({ status, ...(message ? { message } : {}), actions: actions.map((a) => ({ ...a })) });

  return {
    domain,
    received,
    onDesiredState(state) {
      received.push('DESIRED_STATE');
      const outcome = script.steps?.IDENTIFY ?? 'success';
      if (outcome === 'silent') return [];
      const components = state.domains.find((d) => d.id === domain)?.components ?? [];
      actions = script.noop ? [] : components.map((c) => ({ component: { id: `${domain}:${c.id}`, ...(c.version ? { version: c.version } : {}) }, status: 'IDENTIFIED' }));
      installed = script.noop ? components.map((c) => ({ id: c.id, ...(c.version ? { version: c.version } : {}) })) : installed;
      if (outcome === 'stall') return [fb('IDENTIFYING')];
      if (outcome === 'failure') return [fb('IDENTIFYING'), fb('IDENTIFICATION_FAILED', `${domain}: cannot identify`)];
      return [fb('IDENTIFYING'), fb('IDENTIFIED')];
    },
    onCommand(command) {
      received.push(command);
      const outcome = script.steps?.[command] ?? 'success';
      const s = STEP[command];
      if (outcome === 'silent') return [];
      const touches = command !== 'CLEANUP'; // cleaning up leaves the actions as they ended
      if (touches) withStatus(s.action[0]);
      const first = fb(s.doing);
      if (outcome === 'stall') return [first];
      const failed = outcome === 'failure';
      if (touches) withStatus(failed ? s.action[2] : s.action[1], failed ? `${command} failed in ${domain}` : undefined);
      if (command === 'ACTIVATE' && !failed) installed = actions.map((a) => ({ id: a.component.id.slice(domain.length + 1), ...(a.component.version ? { version: a.component.version } : {}) }));
      return [first, fb(failed ? s.failure : s.success, failed ? `${command} failed in ${domain}` : undefined)];
    },
    currentState() {
      const agentNode = { id: `${domain}-update-agent`, version: '1.0.0', name: `${domain} agent`, type: 'APPLICATION' as const, parameters: [{ key: 'domain', value: domain }] };
      const nodes = installed.map((c) => ({ id: `${domain}:${c.id}`, ...(c.version ? { version: c.version } : {}), type: 'CONTAINER' as const }));
      return { softwareNodes: [agentNode, ...nodes], associations: nodes.map((n) => ({ sourceId: agentNode.id, targetId: n.id })) };
    },
  };
}
