// The real-process stack the container-management integration tests share: the Ledge broker bundle, a
// private containerd, a local registry with the busybox test images and the container-management bundle.
// The test's MQTT client plays the connector (answers edge/thing/request) and the cloud (sends Ditto
// commands on command//<device>:edge:containers/req/… and reads responses and events, §1.1, §3.1).
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startContainerd, startRegistry, type ContainerdFixture, type RegistryFixture } from '@ledge/container-management/data-access-containerd/testing';
import { bundlePath, createTempDir, onCleanup, spawnNode, waitFor, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';

export const THING = 'demo:gw:edge:containers';
export const DITTO_TOPIC_PREFIX = 'demo/gw:edge:containers/things/live/messages';

export interface Env {
  topic: string;
  headers?: Record<string, unknown>;
  path: string;
  value?: unknown;
  status?: number;
}

export interface Reply {
  /** The status level of the MQTT response topic `command//<thing>/res/<req>/<status>`. */
  status: number;
  env: Env;
}

export interface ContainerState {
  status: string;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
}

export interface CmStack {
  readonly ctrd: ContainerdFixture;
  readonly reg: RegistryFixture;
  readonly client: MqttClient;
  /** containerd namespace the daemon uses. */
  readonly namespace: string;
  /** Every envelope the daemon published on event/demo/<thing>, in order. */
  readonly events: Env[];
  /** The daemon now running (replaced by restart()). */
  readonly cm: Spawned;
  /** SIGTERM the daemon, start a new one on the same home dir; resolves with the old one's exit code. */
  restart(): Promise<number | string>;
  /** Sends a Ditto inbox message and waits for the response. */
  call(feature: string, op: string, value: unknown): Promise<Reply>;
  /** Publishes a raw payload on a command request topic; returns the request ID. */
  send(op: string, payload: string): Promise<string>;
  reply(requestId: string): Reply | undefined;
  /** The values of the status/state modifies of a container, in order. */
  states(id: string): ContainerState[];
  waitState(id: string, status: string, timeoutMs?: number): Promise<ContainerState>;
  /** A factory operation that must answer 200; returns the new container ID. */
  create(value: unknown, op?: 'create' | 'createWithConfig'): Promise<string>;
  /** IDs whose Container feature was published and not deleted. */
  liveIds(): string[];
  /** remove(force) of every container still there (before the daemon goes: CNI teardown runs in it). */
  removeAll(): Promise<void>;
}

export async function startCmStack(t: TestContextLike, options: { namespace?: string } = {}): Promise<CmStack> {
  const namespace = options.namespace ?? 'ledge-int';
  const [ctrd, reg] = await Promise.all([startContainerd(t), startRegistry(t)]);
  const broker = spawnNode(t, bundlePath('broker'), { args: ['--persistence', 'memory'], env: { LEDGE_BROKER_PORT: '0' } });
  const listening = await broker.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp');
  const port = Number(listening['port']);
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200 });
  onCleanup(t, () => client.endAsync(true));
  const events: Env[] = [];
  const responses = new Map<string, Reply>();
  client.on('message', (topic, payload) => {
    if (topic === 'edge/thing/request') {
      void client.publishAsync('edge/thing/response', '{"deviceId":"demo:gw","tenantId":"demo"}');
    } else if (topic.startsWith(`event/demo/${THING}`)) {
      events.push(JSON.parse(payload.toString()) as Env);
    } else if (topic.startsWith(`command//${THING}/res/`)) {
      const [, , , , req, status] = topic.split('/');
      responses.set(req!, { status: Number(status), env: JSON.parse(payload.toString()) as Env });
    }
  });
  await client.subscribeAsync(['edge/thing/request', `event/demo/${THING}`, `command//${THING}/res/#`], { qos: 1 });

  const home = createTempDir(t);
  const args = [
    '--containerdSocket', ctrd.socket, '--namespace', namespace, '--homeDir', home, '--insecureRegistries', reg.host,
    '--deploymentEnable', 'false', '--localAddress', `tcp://127.0.0.1:${port}`, '--defaultStopTimeout', '2', '--logLevel', 'debug',
    '--apiSocket', join(home, 'cm.sock'),
  ];
  const spawnCm = async () => {
    const p = spawnNode(t, bundlePath('container-management'), { args });
    await p.waitForLog((l) => l['msg'] === 'serving thing' && l['thingId'] === THING, 20_000);
    return p;
  };
  let cm = await spawnCm();
  await waitFor(() => events.some((e) => e.path === '/features/ContainerFactory'), 10_000, 'ContainerFactory feature');

  let n = 0;
  const publish = async (req: string, op: string, payload: string) => {
    await client.publishAsync(`command//${THING}/req/${req}/${op}`, payload, { qos: 1 });
  };
  const send = async (op: string, payload: string) => {
    const req = `r${++n}`;
    await publish(req, op, payload);
    return req;
  };
  const call = async (feature: string, op: string, value: unknown) => {
    const req = `r${++n}`;
    const envelope: Env = {
      topic: `${DITTO_TOPIC_PREFIX}/${op}`,
      headers: { 'correlation-id': `corr-${req}`, 'response-required': true, 'content-type': 'application/json' },
      path: `/features/${feature}/inbox/messages/${op}`,
      ...(value === undefined ? {} : { value }),
    };
    await publish(req, op, JSON.stringify(envelope));
    return waitFor(() => responses.get(req), 60_000, `response to ${op} on ${feature}`);
  };
  const states = (id: string) => events.filter((e) => e.path === `/features/Container:${id}/properties/status/state`).map((e) => e.value as ContainerState);
  const liveIds = () => {
    const ids = new Set<string>();
    for (const e of events) {
      const id = /^\/features\/Container:([^/]+)$/.exec(e.path)?.[1];
      if (id === undefined) continue;
      if (e.topic.endsWith('/twin/commands/delete')) ids.delete(id);
      else ids.add(id);
    }
    return [...ids];
  };

  return {
    ctrd,
    reg,
    client,
    namespace,
    events,
    get cm() {
      return cm;
    },
    async restart() {
      const code = await cm.kill('SIGTERM');
      cm = await spawnCm();
      return code;
    },
    call,
    send,
    reply: (req) => responses.get(req),
    states,
    waitState: (id, status, timeoutMs = 10_000) => waitFor(() => states(id).find((s) => s.status === status), timeoutMs, `${status} event of ${id}`),
    async create(value, op = 'createWithConfig') {
      const r = await call('ContainerFactory', op, value);
      if (r.status !== 200) throw new Error(`${op} answered ${r.status}: ${JSON.stringify(r.env.value)}`);
      return r.env.value as string;
    },
    liveIds,
    async removeAll() {
      for (const id of liveIds()) await call(`Container:${id}`, 'remove', true);
    },
  };
}
