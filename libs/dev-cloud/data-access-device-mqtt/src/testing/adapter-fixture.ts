// The adapter on a free port with a capturing logger, and MQTT.js devices logging in to it (tests only).
import type { DeviceConnection, DeviceCredential, DeviceMessage } from '@ledge/dev-cloud/model-dev-cloud';
import { captureLogger, type TestContextLike } from '@ledge/shared/util/testing';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { createDeviceMqttAdapter, type DeviceMqttAdapter } from '../device-mqtt-adapter';

export const DEVICES = Object.freeze({
  gw: { tenant: 'demo', authId: 'gw-auth', deviceId: 'demo:gw', password: 'gw-password' },
  sensor: { tenant: 'demo', authId: 'sensor-auth', deviceId: 'demo:sensor', password: 'sensor-password' },
  containers: { tenant: 'demo', authId: 'cm-auth', deviceId: 'demo:gw:edge:containers', password: 'cm-password' },
  foreign: { tenant: 'other', authId: 'gw-auth', deviceId: 'other:gw', password: 'other-password' },
} satisfies Record<string, DeviceCredential>);
export type DeviceName = keyof typeof DEVICES;

export interface AdapterFixture {
  adapter: DeviceMqttAdapter;
  port: number;
  messages: DeviceMessage[];
  connections: DeviceConnection[];
  lines: Record<string, unknown>[];
  /** An MQTT.js client logged in as one of DEVICES (no reconnects), ended after the test. */
  device(name: DeviceName, options?: IClientOptions): Promise<MqttClient>;
  /** An MQTT.js client with the given options (for bad credentials). */
  connect(options: IClientOptions): Promise<MqttClient>;
}

export async function startAdapter(t: TestContextLike): Promise<AdapterFixture> {
  const { logger, lines } = captureLogger('device-mqtt-test', 'debug');
  const adapter = createDeviceMqttAdapter({ credentials: Object.values(DEVICES), logger });
  t.after(() => adapter.close());
  const messages: DeviceMessage[] = [];
  const connections: DeviceConnection[] = [];
  adapter.onMessage((m) => messages.push(m));
  adapter.onConnection((c) => connections.push(c));
  const { port } = await adapter.listen({ host: '127.0.0.1', port: 0 });
  const connect = async (options: IClientOptions) => {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    t.after(() => client.endAsync(true));
    return client;
  };
  const device = (name: DeviceName, options: IClientOptions = {}) => {
    const d = DEVICES[name];
    return connect({ username: `${d.authId}@${d.tenant}`, password: d.password, ...options });
  };
  return { adapter, port, messages, connections, lines, device, connect };
}
