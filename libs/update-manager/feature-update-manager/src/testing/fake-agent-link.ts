// An in-memory AgentLink: records what the manager sends and lets a test (or scripted agents attached to
// it) answer. Answers are delivered asynchronously, as over the bus; `flush()` lets them all arrive.
import type { Command, DesiredState, DesiredStateFeedback, Inventory } from '@ledge/shared/model-update';
import type { AgentLink, CurrentStateListener, FeedbackListener } from '../agent-link';
import type { ScriptedAgent } from './scripted-agent';

export interface SentToAgent {
  readonly domain: string;
  readonly activityId: string;
  readonly kind: 'desiredState' | 'command' | 'get';
  readonly payload?: DesiredState | Command;
}

export interface FakeAgentLink extends AgentLink {
  readonly sent: readonly SentToAgent[];
  /** Answers every message for `agent.domain` with what the script says. */
  attach(agent: ScriptedAgent): void;
  feedback(domain: string, activityId: string, feedback: DesiredStateFeedback): void;
  currentState(domain: string, activityId: string, inventory: Inventory, timestamp?: number): void;
  /** Sends to this domain fail (an agent the bus cannot reach). */
  failSends(domain: string): void;
}

export const flush = async (rounds = 20): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};

export function createFakeAgentLink(now: () => number = Date.now): FakeAgentLink {
  const sent: SentToAgent[] = [];
  const fbl = new Set<FeedbackListener>();
  const csl = new Set<CurrentStateListener>();
  const agents = new Map<string, ScriptedAgent>();
  const failing = new Set<string>();
  const deliver = (domain: string, activityId: string, list: readonly DesiredStateFeedback[]) => {
    for (const f of list) setImmediate(() => fbl.forEach((l) => l(domain, activityId, f)));
  };
  const record = async (s: SentToAgent) => {
    if (failing.has(s.domain)) throw new Error(`${s.domain}: not reachable`);
    sent.push(s);
    const agent = agents.get(s.domain);
    if (agent === undefined) return;
    if (s.kind === 'desiredState') deliver(s.domain, s.activityId, agent.onDesiredState(s.payload as DesiredState));
    else if (s.kind === 'command') deliver(s.domain, s.activityId, agent.onCommand(s.payload as Command));
    else setImmediate(() => csl.forEach((l) => l(s.domain, s.activityId, now(), agent.currentState())));
  };
  return {
    sent,
    sendDesiredState: (domain, activityId, state) => record({ domain, activityId, kind: 'desiredState', payload: state }),
    sendCommand: (domain, activityId, command) => record({ domain, activityId, kind: 'command', payload: command.command }),
    requestCurrentState: (domain, activityId) => record({ domain, activityId, kind: 'get' }),
    onFeedback: (l) => (fbl.add(l), () => void fbl.delete(l)),
    onCurrentState: (l) => (csl.add(l), () => void csl.delete(l)),
    start: async () => undefined,
    close: async () => undefined,
    attach: (agent) => void agents.set(agent.domain, agent),
    feedback: (domain, activityId, f) => fbl.forEach((l) => l(domain, activityId, f)),
    currentState: (domain, activityId, inventory, timestamp = now()) => csl.forEach((l) => l(domain, activityId, timestamp, inventory)),
    failSends: (domain) => void failing.add(domain),
  };
}
