// The whole Ledge stack as a user runs it, against a Hono-style cloud (issue 16): a Mosquitto plays Hono
// (the connector logs in as demo-auth@demo, the test's northbound client as `observer`), `ledge run`
// (all-in-one or --processes) hosts every app on a private containerd, and a third-party app serves its
// own feature of the gateway thing. The test configures the cloud link, the containerd socket and the
// broker's port, nothing else: every app must find the local broker on its own.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import type { ContainerdFixture, RegistryFixture } from '@ledge/container-management/data-access-containerd/testing';
import { startCloudBroker, type CloudBroker } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, onCleanup, spawnNode, waitFor, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';
import { startThirdPartyApp, THIRD_PARTY_FEATURE, type ThirdPartyApp } from './third-party-app';

export const DEVICE = 'demo:device';
export const TENANT = 'demo';
export const CONTAINERS_THING = `${DEVICE}:edge:containers`;
const APPS = ['broker', 'connector', 'container-management', 'software-update', 'file-upload', 'update-manager'] as const;

export type StackMode = 'all-in-one' | 'processes';
/** How the broker's port is set: the only local-bus setting a user should need to touch. */
export type BrokerPort = { via: 'env' | 'file'; port: number };
export type Thing = 'gateway' | 'containers';

export interface Envelope {
  topic: string;
  path: string;
  headers?: Record<string, unknown>;
  value?: unknown;
  status?: number;
}

export interface CloudResponse {
  /** `command//<device>/res/<reqId>/<status>` as Hono got it. */
  topic: string;
  status: number;
  env: Envelope;
}

export interface Command {
  thing: Thing;
  feature: string;
  operation: string;
  value?: unknown;
  /** Default `corr-<request ID>`; an answer to a message of the gateway's carries that message's. */
  correlationId?: string;
}

export interface StackOptions {
  mode: StackMode;
  brokerPort: BrokerPort;
  containerd: ContainerdFixture;
  /** A registry container management may pull from over plain HTTP. */
  registry?: RegistryFixture;
  /** Log level of every hosted app (default info). */
  logLevel?: string;
}

export interface WholeStack {
  readonly ledge: Spawned;
  readonly cloud: CloudBroker;
  readonly devDir: string;
  /** The port the broker logged it listens on. */
  readonly localPort: number;
  readonly thirdParty: ThirdPartyApp;
  /** Every envelope the cloud got on event/<tenant>/<thing>, with the thing of its topic. */
  readonly events: { thing: string; env: Envelope }[];
  /** Every line `ledge run` wrote, stdout and stderr, unparsed. */
  readonly lines: { stream: 'stdout' | 'stderr'; line: string }[];
  /** Publishes a Hono command at the cloud (Ditto live message, response required); returns its request ID. */
  send(command: Command): Promise<string>;
  /** Responses the cloud got for a request ID. */
  cloudResponses(requestId: string): CloudResponse[];
  /** Response topics the apps published on the local bus for a request ID (any form). */
  localResponses(requestId: string): string[];
  /** Waits until the cloud has seen the twin modify that registers the feature. */
  registered(thing: Thing, feature: string, timeoutMs?: number): Promise<Envelope>;
  /** Signals `ledge run` and resolves with its exit code once its output is complete. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const thingIdOf = (thing: Thing) => (thing === 'gateway' ? DEVICE : CONTAINERS_THING);

/** The features each app registers when the stack is up, per thing. */
export const STACK_FEATURES: readonly { thing: Thing; feature: string; owner: string }[] = [
  { thing: 'gateway', feature: 'SoftwareUpdatable', owner: 'software-update' },
  { thing: 'gateway', feature: 'AutoUploadable', owner: 'file-upload' },
  { thing: 'gateway', feature: 'BackupAndRestore', owner: 'file-backup' },
  { thing: 'gateway', feature: 'Metrics', owner: 'system-metrics' },
  { thing: 'gateway', feature: 'UpdateManager', owner: 'update-manager' },
  { thing: 'gateway', feature: THIRD_PARTY_FEATURE, owner: 'third-party app' },
  { thing: 'containers', feature: 'ContainerFactory', owner: 'container-management' },
  { thing: 'containers', feature: 'Metrics', owner: 'container-management' },
  { thing: 'containers', feature: 'SoftwareUpdatable', owner: 'container-management' },
];

async function northbound(t: TestContextLike, cloud: CloudBroker) {
  const client = await connectAsync(`mqtt://127.0.0.1:${cloud.plainPort}`, { ...cloud.users.observer, clientId: 'hono-northbound', reconnectPeriod: 200 });
  onCleanup(t, () => client.endAsync(true));
  const responses = new Map<string, CloudResponse[]>();
  const events: { thing: string; env: Envelope }[] = [];
  client.on('message', (topic, payload) => {
    const levels = topic.split('/');
    if (levels[0] === 'command' && levels[3] === 'res') {
      const list = responses.get(levels[4]!) ?? [];
      list.push({ topic, status: Number(levels[5]), env: JSON.parse(payload.toString()) as Envelope });
      responses.set(levels[4]!, list);
    } else if (levels[0] === 'event') {
      events.push({ thing: levels[2]!, env: JSON.parse(payload.toString()) as Envelope });
    }
  });
  await client.subscribeAsync(['command//+/res/#', `event/${TENANT}/#`], { qos: 1 });
  return { client, responses, events };
}

/** Watches the local bus for command responses: the connector forwards only the first, so duplicates show here. */
async function localResponseWatch(t: TestContextLike, port: number): Promise<Map<string, string[]>> {
  const client: MqttClient = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'test-local-observer', reconnectPeriod: 200 });
  onCleanup(t, () => client.endAsync(true));
  const seen = new Map<string, string[]>();
  client.on('message', (topic) => {
    const requestId = topic.split('/')[4]!;
    seen.set(requestId, [...(seen.get(requestId) ?? []), topic]);
  });
  await client.subscribeAsync(['command//+/res/#', 'c//+/s/#'], { qos: 1 });
  return seen;
}

export async function startWholeStack(t: TestContextLike, options: StackOptions): Promise<WholeStack> {
  const cloud = await startCloudBroker(t);
  const north = await northbound(t, cloud);
  const devDir = createTempDir(t, 'ledge-stack-');
  mkdirSync(join(devDir, 'file-upload', 'files'), { recursive: true });
  const connectorConfig = join(devDir, 'connector.json');
  writeFileSync(
    connectorConfig,
    JSON.stringify({
      address: `mqtt://127.0.0.1:${cloud.plainPort}`,
      deviceId: DEVICE,
      tenantId: TENANT,
      authId: 'demo-auth',
      password: cloud.users.device.password,
      backoffInitial: 0.2,
      backoffMax: 1,
    }),
  );
  const env: Record<string, string | undefined> = {
    LEDGE_DEV_DIR: undefined,
    LEDGE_CONNECTOR_CONFIG: connectorConfig,
    LEDGE_CONTAINER_MANAGEMENT_CONTAINERD_SOCKET: options.containerd.socket,
    LEDGE_CONTAINER_MANAGEMENT_NAMESPACE: 'ledge-whole-stack',
    ...(options.registry ? { LEDGE_CONTAINER_MANAGEMENT_INSECURE_REGISTRIES: options.registry.host } : {}),
    // The owner approves each update (the desired-state flow answers from the cloud, update-flow.ts).
    LEDGE_UPDATE_MANAGER_OWNER_CONSENT_COMMANDS: 'UPDATE',
  };
  if (options.brokerPort.via === 'env') {
    env['LEDGE_BROKER_PORT'] = String(options.brokerPort.port);
  } else {
    const file = join(devDir, 'broker.json');
    writeFileSync(file, JSON.stringify({ port: options.brokerPort.port }));
    env['LEDGE_BROKER_CONFIG'] = file;
  }
  if (options.logLevel !== undefined) for (const app of APPS) env[`LEDGE_${app.replace(/-/g, '_').toUpperCase()}_LOG_LEVEL`] = options.logLevel;

  const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', ...(options.mode === 'processes' ? ['--processes'] : []), '--dev', '--dev-dir', devDir], env });
  const outputClosed = new Promise<void>((r) => ledge.child.once('close', () => r()));
  const lines: WholeStack['lines'] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let buf = '';
    ledge.child[stream]!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push({ stream, line: buf.slice(0, i) });
        buf = buf.slice(i + 1);
      }
    });
  }
  const listening = await ledge.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp', 30_000);
  const localPort = Number(listening['port']);
  const local = await localResponseWatch(t, localPort);
  const thirdParty = await startThirdPartyApp(t, `mqtt://127.0.0.1:${localPort}`);

  let n = 0;
  const registered = (thing: Thing, feature: string, timeoutMs = 60_000) =>
    waitFor(
      () => north.events.find((e) => e.thing === thingIdOf(thing) && e.env.path === `/features/${feature}` && e.env.topic.endsWith('/things/twin/commands/modify'))?.env,
      timeoutMs,
      `${feature} of ${thingIdOf(thing)} registered at the cloud`,
    );
  return {
    ledge,
    cloud,
    devDir,
    localPort,
    thirdParty,
    events: north.events,
    lines,
    async send(command) {
      const requestId = `req-${++n}-${command.feature}-${command.operation}`;
      const thingId = thingIdOf(command.thing);
      const [namespace, ...name] = thingId.split(':');
      const envelope: Envelope = {
        topic: `${namespace}/${name.join(':')}/things/live/messages/${command.operation}`,
        headers: { 'correlation-id': command.correlationId ?? `corr-${requestId}`, 'response-required': true, 'content-type': 'application/json', timeout: '60s' },
        path: `/features/${command.feature}/inbox/messages/${command.operation}`,
        ...(command.value === undefined ? {} : { value: command.value }),
      };
      // §1.3: the gateway's own commands have an empty device level; the subject is the business app's choice.
      const device = command.thing === 'gateway' ? '' : thingId;
      await north.client.publishAsync(`command//${device}/req/${requestId}/${command.operation}`, JSON.stringify(envelope), { qos: 1 });
      return requestId;
    },
    cloudResponses: (requestId) => north.responses.get(requestId) ?? [],
    localResponses: (requestId) => local.get(requestId) ?? [],
    registered,
    async stop(signal = 'SIGTERM') {
      const code = await ledge.kill(signal);
      await outputClosed;
      return code;
    },
  };
}

/** Resolves once every app (and the third-party one) has registered its features at the cloud. */
export async function waitForAllFeatures(stack: WholeStack, timeoutMs = 60_000): Promise<void> {
  await Promise.all(STACK_FEATURES.map((f) => stack.registered(f.thing, f.feature, timeoutMs)));
}
