// Whole-stack flow of the connector's local digital twins (issue 20; on under `ledge run --dev`), run by
// whole-stack.int.spec.ts in both `ledge run` modes: a local app changes a property while the cloud is
// down, is answered from the local twin, and after the reconnect the cloud has the last state (not the
// steps in between). The cloud here answers no retrieve, so the sync pushes after its retrieve timeout.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { connectAsync } from 'mqtt';
import { onCleanup, waitFor } from '@ledge/shared/util/testing';
import { DEVICE, type Envelope, type WholeStack } from './whole-stack';

const FEATURE = 'LocalTwinProbe';

export async function localTwinThroughOutage(t: TestContext, stack: WholeStack): Promise<void> {
  const app = await connectAsync(`mqtt://127.0.0.1:${stack.localPort}`, { clientId: 'ws-twin-app', reconnectPeriod: 200 });
  onCleanup(t, () => app.endAsync(true));
  const got: { topic: string; env: Envelope }[] = [];
  let connected: boolean | undefined;
  app.on('message', (topic, payload) => {
    if (topic === 'edge/connection/remote/status') connected = (JSON.parse(payload.toString() || '{}') as { connected?: boolean }).connected === true;
    else got.push({ topic, env: JSON.parse(payload.toString()) as Envelope });
  });
  await app.subscribeAsync(['command///req/#', 'edge/connection/remote/status'], { qos: 1 });
  await waitFor(() => connected === true, 15_000, 'the connector online');
  const command = (action: string, path: string, value?: unknown) =>
    app.publishAsync('e', JSON.stringify({ topic: 'demo/device/things/twin/commands/' + action, headers: { 'correlation-id': `ws-twin-${got.length}-${action}` }, path, ...(value === undefined ? {} : { value }) }), { qos: 1 });
  /** The next local answer to an `action` command (answers are taken in order). */
  let taken = 0;
  const answer = (action: string) =>
    waitFor(
      () => {
        const answers = got.filter((g) => g.topic.endsWith('-response'));
        const next = answers[taken];
        if (next === undefined) return undefined;
        assert.equal(next.topic, `command///req//${action}-response`);
        taken++;
        return next.env;
      },
      10_000,
      `the local ${action} answer`,
    );

  await stack.cloud.stop();
  await waitFor(() => connected === false, 15_000, 'the connector offline');
  await command('modify', `/features/${FEATURE}`, { properties: { step: 1 } });
  assert.equal((await answer('modify')).status, 201, 'created in the local twin while offline');
  await command('modify', `/features/${FEATURE}/properties/step`, 2);
  assert.equal((await answer('modify')).status, 204);
  await command('retrieve', `/features/${FEATURE}/properties`);
  const retrieved = await answer('retrieve');
  assert.equal(retrieved.status, 200);
  assert.deepEqual(retrieved.value, { step: 2 }, 'retrieve is answered from the local twin offline');

  await stack.cloud.start();
  await waitFor(() => connected === true, 30_000, 'the connector online again');
  const pushed = await waitFor(
    () => stack.events.find((e) => e.thing === DEVICE && e.env.path.startsWith(`/features/${FEATURE}`) && e.env.topic.endsWith('/things/twin/commands/modify'))?.env,
    30_000,
    'the offline change at the cloud after the reconnect',
  );
  assert.deepEqual(pushed.value, { properties: { step: 2 } }, 'the last state, as one whole feature');
  const steps = stack.events.filter((e) => e.env.path.startsWith(`/features/${FEATURE}`));
  assert.equal(steps.length, 1, `the steps made offline are not replayed one by one: ${JSON.stringify(steps)}`);
}
