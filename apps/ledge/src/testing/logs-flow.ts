// The Logs feature's container part end to end (issue 21), run by whole-stack.int.spec.ts in both `ledge
// run` modes: a container created from the cloud writes to stdout and stderr; a Logs upload from the cloud
// naming it and an app makes file upload ask container management on the bus (the broker's ACL in force),
// and the archive at the sink holds the container's json-file lines beside the app's lines of the window
// from the log files (`ledge run --dev` writes them; there is no journald here). A local client subscribed to those topics
// sees the request but none of the answers.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { connectAsync } from 'mqtt';
import type { RegistryFixture } from '@ledge/container-management/data-access-containerd/testing';
import { extractTarGz, waitFor } from '@ledge/shared/util/testing';
import { startUploadSink } from './upload-sink';
import { DEVICE, type WholeStack } from './whole-stack';

interface LastUpload {
  correlationId: string;
  state: string;
  containers?: Record<string, number>;
  lines?: Record<string, number>;
  message?: string;
}

export async function containerLogsThroughCloud(t: TestContext, stack: WholeStack, registry: RegistryFixture): Promise<void> {
  const sink = await startUploadSink(t);
  const listener = await connectAsync(`mqtt://127.0.0.1:${stack.localPort}`, { clientId: 'logs-eavesdropper', reconnectPeriod: 0 });
  t.after(() => listener.endAsync(true));
  const overheard: string[] = [];
  listener.on('message', (topic) => overheard.push(topic));
  await listener.subscribeAsync('edge/containers/logs/#', { qos: 1 });

  const since = new Date(Date.now() - 1000).toISOString();
  const name = `ws-logs-${process.pid}`;
  const created = await stack.send({
    thing: 'containers',
    feature: 'ContainerFactory',
    operation: 'createWithConfig',
    value: { imageRef: registry.singleRef, name, start: true, config: { cmd: ['/bin/sh', '-c', 'echo hello-from-container; echo oops-on-stderr >&2; exec sleep 300'], networkMode: 'HOST', restartPolicy: { type: 'NO' } } },
  });
  const id = await waitFor(() => stack.cloudResponses(created).find((r) => r.status === 200)?.env.value as string | undefined, 60_000, 'the container created');
  t.after(() => void stack.send({ thing: 'containers', feature: `Container:${id}`, operation: 'remove', value: true }));

  // The container writes once it runs: ask until its lines are in an archive.
  let n = 0;
  const read = await waitFor(
    async () => {
      const cid = `ws-logs-${++n}`;
      const key = `/logs/${cid}.tar.gz`;
      await stack.send({ thing: 'gateway', feature: 'Logs', operation: 'upload', value: { correlationId: cid, since, apps: ['connector'], containers: [name, 'no-such-container'], options: { 'https.url': `${sink.url}${key}` } } });
      const end = await waitFor(
        () => stack.events.map((e) => (e.thing === DEVICE && e.env.path === '/features/Logs/properties/lastUpload' ? (e.env.value as LastUpload) : undefined)).find((u) => u?.correlationId === cid && u.state !== 'PENDING' && u.state !== 'UPLOADING'),
        40_000,
        'the upload\'s end at the cloud',
      );
      assert.equal(end.state, 'SUCCESS', end.message);
      assert.equal(end.message, 'container no-such-container: no such container');
      const files = extractTarGz(t, sink.objects.get(key)!).read;
      return end.containers?.[name] === 2 ? files : undefined;
    },
    60_000,
    'both of the container\'s lines in an uploaded archive',
  );
  const lines = read(`logs/containers/${name}.log`).trim().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
  assert.deepEqual(lines.map((l) => [l.stream, l.log]).sort(), [['stderr', 'oops-on-stderr\n'], ['stdout', 'hello-from-container\n']]);
  assert.ok(lines.every((l) => Date.parse(l.time) >= Date.parse(since)), 'stamped inside the window');
  // the app's part: from the log files `ledge run --dev` writes (no journald here), inside the window too
  const connector = read('logs/connector.log').trim().split('\n').map((l) => JSON.parse(l) as { time: string; name: string; app?: string });
  assert.ok(connector.length > 0, 'the connector logged in the window');
  assert.ok(connector.every((l) => Date.parse(l.time) >= Date.parse(since) && (l.app ?? l.name) === 'connector'), JSON.stringify(connector.slice(0, 3)));
  // the requests are no secret; the answers are only file upload's
  assert.ok(overheard.includes('edge/containers/logs/request'), 'the eavesdropper was subscribed in time');
  assert.deepEqual(overheard.filter((topic) => topic.startsWith('edge/containers/logs/response/')), [], 'no local client but file upload reads containers\' logs');
}
