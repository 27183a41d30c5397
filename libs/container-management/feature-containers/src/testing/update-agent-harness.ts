// The update agent on the fake local bus and the in-memory runtime, with fake time: what its specs drive.
import assert from 'node:assert/strict';
import { createFakeLocalBus, type FakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { envelope, updateTopics, type Command, type DesiredStateFeedback, type Envelope, type Inventory } from '@ledge/shared/model-update';
import { createFakeTime, onCleanup, type FakeTime, type TestContextLike } from '@ledge/shared/util/testing';
import { managerFixture, type ManagerFixture } from './manager-fixture';
import type { ActivationGate } from '../update-agent/activation-gate';
import { createUpdateAgent, type UpdateAgent, type UpdateAgentOptions } from '../update-agent/update-agent';

export const topics = updateTopics('containers');

/** Three versions of a desired state: v2 replaces web's image and adds cache, v3 changes web again and adds worker. */
export const v1: Component[] = [
  { id: 'web', version: '1', config: [['image', 'reg.test/web:1'], ['port', '8080:80'], ['env', 'MODE=v1']] },
  { id: 'db', version: '1', config: [['image', 'reg.test/db:1'], ['restartPolicy', 'always'], ['memory', '64M']] },
];
export const v2: Component[] = [
  { id: 'web', version: '2', config: [['image', 'reg.test/web:2'], ['port', '8080:80'], ['env', 'MODE=v1']] },
  v1[1]!,
  { id: 'cache', version: '1', config: [['image', 'reg.test/cache:1']] },
];
export const v3: Component[] = [{ ...v2[0]!, version: '3', config: [['image', 'reg.test/web:3'], ['port', '8080:80']] }, v2[1]!, v2[2]!, { id: 'worker', version: '1', config: [['image', 'reg.test/worker:1']] }];


export interface AgentHarness {
  readonly f: ManagerFixture;
  readonly bus: FakeLocalBus;
  readonly agent: UpdateAgent;
  readonly time: FakeTime;
  /** Injects a message on `topic` in an envelope and waits until the agent handled it. */
  send(topic: string, activityId: string, payload: unknown): Promise<void>;
  desired(activityId: string, components: readonly Component[], domainConfig?: { key: string; value: string }[]): Promise<void>;
  command(activityId: string, command: Command, baseline?: string): Promise<void>;
  /** The feedback of one activity so far, in order. */
  feedback(activityId: string): DesiredStateFeedback[];
  statuses(activityId: string): string[];
  last(activityId: string): DesiredStateFeedback;
  /** Container names → status, sorted by name. */
  containers(): Record<string, string>;
  /** Names of the runtime's containers that run a task, sorted. */
  runningInRuntime(): string[];
  currentStates(): Envelope<Inventory>[];
  /** Stops the agent and the manager and starts both again over the same runtime and home. */
  restart(options?: Partial<AgentOptions>): Promise<AgentHarness>;
}

export interface Component {
  id: string;
  version: string;
  config?: [string, string][];
}

type AgentOptions = Pick<UpdateAgentOptions, 'systemContainers' | 'verboseInventoryReport' | 'activationTimeoutMs' | 'gate' | 'reportDelayMs'>;

/** A gate that fails the containers named in `failing` and passes the rest. */
export function gateFailing(...failing: string[]): ActivationGate {
  return async (r) => {
    if (failing.includes(r.config.name)) throw new Error(`${r.config.name} is not healthy: exited with code 1`);
  };
}

export async function agentHarness(t: TestContextLike, options: Partial<AgentOptions> = {}, shared?: { f: ManagerFixture; bus: FakeLocalBus; time: FakeTime }): Promise<AgentHarness> {
  const time = shared?.time ?? createFakeTime();
  const f = shared ? await shared.f.restart() : await managerFixture(t, undefined, { scheduler: time.scheduler, now: time.clock.now });
  const bus = shared?.bus ?? createFakeLocalBus();
  const client = bus.createClient({ clientId: 'ledge-container-management', logger: f.log.logger });
  await client.start();
  const agent = createUpdateAgent({ bus: client, manager: f.manager, logger: f.log.logger, homeDir: f.home, scheduler: time.scheduler, now: time.clock.now, gate: async () => undefined, activationTimeoutMs: 5000, ...options });
  onCleanup(t, async () => {
    await agent.close();
    await client.close();
  });
  await agent.start();
  await bus.idle();

  const decode = <P>(p: Buffer) => JSON.parse(p.toString()) as Envelope<P>;
  const h: AgentHarness = {
    f,
    bus,
    agent,
    time,
    async send(topic, activityId, payload) {
      bus.inject(topic, JSON.stringify(envelope(activityId, payload, time.clock.now())), { qos: 1 });
      // Delivered (the agent queues its work), the work done, and what it published delivered.
      await bus.idle();
      await agent.idle();
      await bus.idle();
    },
    desired: (activityId, components, domainConfig) =>
      h.send(topics.desiredState, activityId, {
        domains: [{ id: 'containers', ...(domainConfig ? { config: domainConfig } : {}), components: components.map((c) => ({ id: c.id, version: c.version, config: (c.config ?? []).map(([key, value]) => ({ key, value })) })) }],
      }),
    command: (activityId, command, baseline) => h.send(topics.command, activityId, { command, ...(baseline !== undefined ? { baseline } : {}) }),
    feedback: (activityId) =>
      bus.published
        .filter((p) => p.topic === topics.feedback)
        .map((p) => decode<DesiredStateFeedback>(p.payload))
        .filter((e) => e.activityId === activityId)
        .map((e) => e.payload),
    statuses: (activityId) => h.feedback(activityId).map((x) => x.status),
    last(activityId) {
      const all = h.feedback(activityId);
      assert.ok(all.length > 0, `no feedback for ${activityId}`);
      return all[all.length - 1]!;
    },
    containers: () => Object.fromEntries(f.manager.list().map((r) => [r.config.name, r.state.status] as const).sort(([a], [b]) => a.localeCompare(b))),
    runningInRuntime: () =>
      f.manager
        .list()
        .filter((r) => f.runtime.containers.get(r.runtimeId ?? r.id)?.task?.status === 'running')
        .map((r) => r.config.name)
        .sort(),
    currentStates: () => bus.published.filter((p) => p.topic === topics.currentState).map((p) => decode<Inventory>(p.payload)),
    async restart(more = {}) {
      await agent.close();
      await client.close();
      await f.manager.close();
      return agentHarness(t, { ...options, ...more }, { f, bus, time });
    },
  };
  return h;
}

/** DOWNLOAD, UPDATE, ACTIVATE, CLEANUP, each after the previous one succeeded. */
export async function runAll(h: AgentHarness, activityId: string): Promise<void> {
  for (const [command, ok] of [['DOWNLOAD', 'DOWNLOAD_SUCCESS'], ['UPDATE', 'UPDATE_SUCCESS'], ['ACTIVATE', 'ACTIVATION_SUCCESS'], ['CLEANUP', 'COMPLETED']] as const) {
    await h.command(activityId, command);
    assert.ok(h.statuses(activityId).includes(ok), `${command} of ${activityId}: ${JSON.stringify(h.last(activityId))}`);
  }
}
