// The aedes hooks of the device side: Hono's authentication, what a device may publish (publish-rules.ts)
// and subscribe (command-filters.ts), and that only commands reach a device. Refused publishes are
// acknowledged and dropped (device-aedes.ts) and logged with the client; refused subscriptions get SUBACK
// 0x80 [MQTT-3.9.3]. Topics are untrusted: they are logged cut to a readable length.
import type { AedesOptions, Client, ConnectPacket } from 'aedes';
import type { DeviceAddress } from '@ledge/dev-cloud/model-dev-cloud';
import { parseHonoTopic } from '@ledge/shared/model-hono';
import type { Logger } from '@ledge/shared/util';
import { remoteAddress, renameClient } from './aedes-internals';
import { parseCommandFilter } from './command-filters';
import type { CredentialStore } from './credentials';
import type { AcceptedMessage } from './device-aedes';
import { decidePublish } from './publish-rules';

/** What the adapter knows of an authenticated client. */
export interface DeviceClient {
  readonly device: DeviceAddress;
  /** The client ID the device sent (aedes' ID is the device's own, see renameClient). */
  readonly clientId: string;
}

export interface HooksOptions {
  credentials: CredentialStore;
  logger: Logger;
  /** The authenticated clients. */
  clients: WeakMap<Client, DeviceClient>;
  accept(packet: object, message: AcceptedMessage): void;
}

type Hooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

const MAX_LOGGED = 256;
export const forLog = (value: unknown): string => {
  const s = typeof value === 'string' ? value : String(value);
  return s.length > MAX_LOGGED ? `${s.slice(0, MAX_LOGGED)}…(${s.length} characters)` : s;
};

/** The aedes ID of a device's connection: one per device, whatever client ID it sends. */
export const deviceClientId = (device: DeviceAddress): string => `${device.tenant}/${device.deviceId}`;

export function createHooks(options: HooksOptions): Hooks {
  const { logger, clients } = options;
  const who = (client: Client) => {
    const c = clients.get(client);
    return { clientId: c?.clientId ?? client.id, tenant: c?.device.tenant, deviceId: c?.device.deviceId };
  };
  return {
    preConnect(_client: Client, packet: ConnectPacket, callback) {
      // Hono's adapter keeps no session: no stored subscriptions, no queued commands (a command for a
      // device that is not connected is answered at once). Every connection is a clean one [MQTT-3.1.2-6].
      packet.clean = true;
      callback(null, true);
    },

    authenticate(client, username, password, callback) {
      const clientId = client.id;
      const result = options.credentials.check(typeof username === 'string' ? username : undefined, Buffer.isBuffer(password) ? password : undefined);
      if (!result.ok) {
        logger.info({ clientId: forLog(clientId), username: forLog(username), address: remoteAddress(client), returnCode: result.returnCode, why: result.why }, 'connection refused');
        callback(Object.assign(new Error(result.why), { returnCode: result.returnCode }), false);
        return;
      }
      clients.set(client, { device: result.device, clientId });
      renameClient(client, deviceClientId(result.device));
      callback(null, true);
    },

    authorizePublish(client, packet, callback) {
      const known = client ? clients.get(client) : undefined;
      if (client === null || known === undefined) {
        callback(null); // the broker's own messages: device-aedes drops them
        return;
      }
      const decision = decidePublish(packet.topic, known.device);
      if (decision.ok) options.accept(packet, decision.message);
      // MQTT 3.1.1 has no negative PUBACK: the device sees success, so the log names who tried.
      else logger.warn({ ...who(client), topic: forLog(packet.topic), why: decision.why }, 'publish refused, dropped');
      callback(null);
    },

    authorizeSubscribe(client, sub, callback) {
      const known = clients.get(client);
      const filter = known ? parseCommandFilter(sub.topic, known.device) : 'not authenticated';
      if (typeof filter === 'string') {
        logger.info({ ...who(client), filter: forLog(sub.topic), why: filter }, 'subscription refused');
        callback(null, null); // SUBACK 0x80
        return;
      }
      logger.debug({ ...who(client), filter: forLog(sub.topic), scope: filter.scope.kind }, 'command subscription granted');
      // Granted as asked (aedes reports the requested QoS in SUBACK); commands are published at QoS 1 at
      // most, which a QoS 2 subscription receives as QoS 1 [MQTT-3.8.4-6].
      callback(null, sub);
    },

    authorizeForward(_client, packet) {
      // Only commands reach a device, and only as the adapter writes them to the one client that takes them.
      const parsed = parseHonoTopic(packet.topic);
      return parsed.ok && parsed.topic.kind === 'command-request' ? packet : null;
    },
  };
}
