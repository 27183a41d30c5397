// What the connector's twin wire tests share (local twins, AWS shadows, Azure twin): a local app on the
// Ledge broker that sees the connection status and every command topic, and the JSON merge patch the
// emulated clouds apply (AWS shadow updates, IoT Hub patches and Ditto merges all follow RFC 7396).
import { connectAsync, type MqttClient } from 'mqtt';
import type { TestContextLike } from '@ledge/shared/util/testing';

export type Json = Record<string, unknown>;

export interface Envelope {
  topic: string;
  headers?: Json;
  path: string;
  value?: unknown;
  status?: number;
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396: objects merge, null deletes. */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isObject(v) && isObject(out[k]) ? mergePatch(out[k], v) : v;
  }
  return out;
}

export interface LocalTwinApp {
  readonly client: MqttClient;
  /** Every command-topic message (`command//+/req/#` by default), parsed. */
  readonly got: { topic: string; env: Envelope }[];
  /** The connector's last retained link status. */
  connected(): boolean;
  /** Publishes a payload on `e` at QoS 1. */
  send(payload: string): Promise<unknown>;
  /** A one-way twin modify on `e` for `thing` (`<ns>/<name>`, default the gateway). */
  modify(path: string, value: unknown, thing?: string): Promise<unknown>;
}

export async function localTwinApp(t: TestContextLike, port: number, filters: readonly string[] = ['command//+/req/#']): Promise<LocalTwinApp> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200 });
  t.after(() => client.endAsync(true));
  const got: LocalTwinApp['got'] = [];
  let connected = false;
  client.on('message', (topic, payload) => {
    if (topic === 'edge/connection/remote/status') connected = (JSON.parse(payload.toString() || '{}') as { connected?: boolean }).connected === true;
    else got.push({ topic, env: JSON.parse(payload.toString()) as Envelope });
  });
  await client.subscribeAsync(['edge/connection/remote/status', ...filters], { qos: 1 });
  const send = (payload: string) => client.publishAsync('e', payload, { qos: 1 });
  return {
    client,
    got,
    connected: () => connected,
    send,
    modify: (path, value, thing = 'demo/device') => send(JSON.stringify({ topic: `${thing}/things/twin/commands/modify`, headers: { 'response-required': false }, path, value })),
  };
}
