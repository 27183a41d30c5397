// Issue 18 on the packaged stack: a desired state applied from the cloud through the UpdateManager feature
// (ledge-update-manager) reaches container management's containers update agent, which pulls an arm64 image
// from the host's registry and runs it on the emulated gateway; a second desired state without it removes it.
// Every step is judged from the cloud (the feature's outbox `feedback`, its `inventory` property) and on
// the gateway (`ledge cm list`).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { client, close, isActive, waitFor } from '../lib/guest-checks';
import { closeCloud, commandEnvelope, commandTopic, connectCloud, DEVICE, REGISTRY_IN_GUEST } from '../lib/cloud';
import type { Scenario } from '../scenarios';

const CM_CONFIG = '/etc/ledge/container-management.json';
const CM_UNIT = 'ledge-container-management.service';
const FINAL = ['COMPLETED', 'INCOMPLETE', 'INCOMPLETE_INCONSISTENT', 'IDENTIFICATION_FAILED'];

interface Feedback {
  activityId: string;
  desiredStateFeedback: { status: string; message?: string; actions?: { component: { id: string }; status: string; message?: string }[] };
}

export const desiredState: Scenario = {
  name: 'desired-state',
  proves: 'a desired state applied from the cloud (UpdateManager apply) runs a container from an arm64 image on the gateway through the containers update agent, reported COMPLETED with its actions and in the inventory; a second desired state without it removes it',
  timeoutMs: 8 * 60_000,
  skip: ({ apps }) => (['update-manager', 'container-management', 'connector'].every((app) => apps.some((a) => a.app === app)) ? false : 'update manager, container management or the connector not packaged'),
  async run({ vm, cloud, log }) {
    const north = await connectCloud(cloud);
    const saved = (await vm.sh(`cat ${CM_CONFIG}`)).stdout;
    const restartCm = async () => {
      await vm.sh(`systemctl restart ${CM_UNIT}`);
      await waitFor(`${CM_UNIT} active`, 120_000, () => isActive(vm, CM_UNIT));
    };
    try {
      // The agent is off by default, as in Kanto; the host's registry is plain HTTP.
      const config = { ...(JSON.parse(saved) as Record<string, unknown>), updateAgentEnable: true, insecureRegistries: [REGISTRY_IN_GUEST] };
      await vm.sh(`cat > ${CM_CONFIG} <<'EOF'\n${JSON.stringify(config, null, 2)}\nEOF`);
      // The unit is active once the process runs (Type=exec), long before its agent listens under
      // emulation. The agent's first current state (activity initial-current-state-<ms>) comes after its
      // subscriptions on the same connection: once the bus has it, a desired state reaches the agent.
      const bus = await client(vm, 'um-agent-ready');
      const agentStates: string[] = [];
      bus.on('message', (_topic, payload) => {
        try {
          agentStates.push(String((JSON.parse(payload.toString()) as { activityId?: string }).activityId));
        } catch {
          // a cleared retained message: not the agent's report
        }
      });
      await bus.subscribeAsync('containersupdate/currentstate', { qos: 1 });
      const restartedAt = Number((await vm.sh('date +%s%3N')).stdout.trim());
      await restartCm();
      const ms = await waitFor('the containers update agent listening', 180_000, async () => agentStates.some((a) => Number(/^initial-current-state-(\d+)$/.exec(a)?.[1]) >= restartedAt));
      log(`containers update agent listening ${ms} ms after the unit was active`);
      await close(bus);

      const feedback: Feedback[] = [];
      const responses = new Map<string, number>();
      let inventory: { softwareNodes?: { id: string }[] } | undefined;
      north.on('message', (topic, payload) => {
        let env: { path?: string; value?: unknown };
        try {
          env = JSON.parse(payload.toString()) as typeof env;
        } catch {
          return;
        }
        const res = /^command\/\/[^/]*\/res\/([^/]+)\/(\d+)$/.exec(topic);
        if (res) responses.set(res[1]!, Number(res[2]));
        else if (env.path === '/features/UpdateManager/outbox/messages/feedback') feedback.push(env.value as Feedback);
        else if (env.path === '/features/UpdateManager/properties/inventory') inventory = env.value as typeof inventory;
        else if (env.path === '/features/UpdateManager/properties' || env.path === '/features/UpdateManager') {
          const v = env.value as { inventory?: typeof inventory; properties?: { inventory?: typeof inventory } };
          inventory = v.inventory ?? v.properties?.inventory ?? inventory;
        }
      });
      await north.subscribeAsync(['command//+/res/#', 'event/#'], { qos: 1 });

      const apply = async (components: unknown[]) => {
        const activityId = `e2e-${randomUUID()}`;
        const rid = `e2e-um-${activityId}`;
        const value = { activityId, timestamp: Date.now(), desiredState: { domains: [{ id: 'containers', components }] } };
        await north.publishAsync(commandTopic(DEVICE, rid, 'apply'), JSON.stringify(commandEnvelope({ thingId: DEVICE, featureId: 'UpdateManager', subject: 'apply', correlationId: rid, value })), { qos: 1 });
        await waitFor('the answer to apply', 60_000, async () => responses.has(rid));
        assert.ok(responses.get(rid)! < 300, `apply answered ${responses.get(rid)}`);
        const ended = () => feedback.find((f) => f.activityId === activityId && FINAL.includes(f.desiredStateFeedback.status));
        const ms = await waitFor(`the end of activity ${activityId}`, 5 * 60_000, async () => ended() !== undefined);
        const end = ended()!;
        const seen = [...new Set(feedback.filter((f) => f.activityId === activityId).map((f) => f.desiredStateFeedback.status))];
        log(`activity ${activityId}: ${seen.join(' → ')} in ${ms} ms`);
        assert.equal(end.desiredStateFeedback.status, 'COMPLETED', JSON.stringify(end.desiredStateFeedback));
        assert.ok(seen.includes('IDENTIFIED') && seen.includes('RUNNING'), `statuses ${seen.join(', ')}`);
        return end;
      };
      const listed = async () => (await vm.sh('ledge cm list')).stdout;

      const image = `${REGISTRY_IN_GUEST}/${cloud.registryRepo}`;
      const v1 = await apply([{ id: 'e2e-hello', version: '1', config: [{ key: 'image', value: image }, { key: 'cmd', value: '/bin/busybox' }, { key: 'cmd', value: 'sleep' }, { key: 'cmd', value: '3600' }] }]);
      assert.ok(v1.desiredStateFeedback.actions?.some((a) => a.component.id.endsWith('e2e-hello')), JSON.stringify(v1.desiredStateFeedback.actions));
      assert.match(await listed(), /e2e-hello\s.*\| Running /, 'the container runs on the gateway (ledge cm list writes Kanto\'s Running)');
      await waitFor('the container in the UpdateManager inventory at the cloud', 90_000, async () => JSON.stringify(inventory ?? {}).includes('e2e-hello'));

      await apply([]);
      assert.doesNotMatch(await listed(), /e2e-hello/, 'the container is gone');
    } finally {
      await closeCloud(north);
      await vm.sh(`cat > ${CM_CONFIG} <<'EOF'\n${saved.trim()}\nEOF`, { allowFail: true });
      await restartCm().catch((err: unknown) => log(`restoring container management: ${String(err)}`));
    }
  },
};
