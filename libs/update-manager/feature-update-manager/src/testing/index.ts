export { createFakeAgentLink, flush } from './fake-agent-link';
export type { FakeAgentLink, SentToAgent } from './fake-agent-link';
export { createScriptedAgent } from './scripted-agent';
export type { AgentScript, ScriptedAgent, StepOutcome } from './scripted-agent';
export { startBusAgent } from './bus-agent';
export type { BusAgent } from './bus-agent';
export { inboxRequest, readJson } from './envelopes';
export type { DittoMessage, InboxRequest, LocalEnvelope } from './envelopes';
