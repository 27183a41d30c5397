// The aedes hooks: authentication, the $SYS publish rule, topic ACLs and the delivery QoS fix.
// Refused publishes are acknowledged and dropped (see ledge-aedes.ts); refused subscriptions get SUBACK
// 0x80 (so do shared subscriptions, which aedes lacks); a message a client may not receive is not
// forwarded to it.
import type { AedesOptions, Client } from 'aedes';
import type { Logger } from '@ledge/shared/util';
import { parseSharedSubscription } from '@ledge/shared/model-mqtt';
import { compileAcl, type AclRule } from './acl';
import { bothAcls, ledgeAcl } from './ledge-acl';
import { internals } from './aedes-internals';
import type { Authenticator } from './auth';
import type { ConnectionRecords } from './connection-record';
import { capDeliveryQos } from './delivery-qos';
import { connackRefusal } from './errors';
import type { RedeliveryTracker } from './redelivery';

export interface HooksOptions {
  authenticator: Authenticator;
  aclRules: readonly AclRule[];
  /** Ledge's built-in ACL (ledge-acl.ts) on top of the rules. */
  ledgeAcl: boolean;
  /** Apps whose health topic only their own account may publish (ledge-acl.ts). */
  healthOwners: ReadonlySet<string>;
  records: ConnectionRecords;
  logger: Logger;
  /** Marks a refused PUBLISH for dropping (LedgeAedes.drop). */
  drop(packet: object): void;
  redelivery: RedeliveryTracker;
  /** The live client registered under an id, if any (to spot a takeover). */
  clientById(id: string): Client | undefined;
}

type Hooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

export function createHooks(options: HooksOptions): Hooks {
  const { records, logger, aclRules } = options;
  return {
    preConnect(client, packet, callback) {
      const rec = records.of(client);
      if (rec) {
        rec.clientId = packet.clientId;
        rec.connect = { level: packet.protocolVersion ?? 4, clean: packet.clean !== false, keepalive: packet.keepalive ?? 0, username: packet.username };
      }
      callback(null, true);
    },

    authenticate(client, username, password, callback) {
      const rec = records.of(client);
      const address = rec?.meta.address ?? 'unknown';
      options.authenticator.check(username, password, { address }).then(
        (result) => {
          if (!result.ok) {
            if (rec) rec.reason = 'auth';
            logger.info({ clientId: client.id, username, address, returnCode: result.returnCode, why: result.why }, 'connection refused');
            callback(connackRefusal(result.returnCode), false);
            return;
          }
          const who = { clientId: client.id, username: result.username };
          const acl = bothAcls(compileAcl(aclRules, who), options.ledgeAcl ? ledgeAcl(who, options.healthOwners) : undefined);
          // A will is published when the client is gone: check its topic now, as Mosquitto does.
          const will = (client as unknown as { _will?: { topic?: string } | null })._will;
          if (acl && typeof will?.topic === 'string' && !acl.canPublish(will.topic)) {
            if (rec) rec.reason = 'auth';
            logger.warn({ clientId: client.id, username, address, topic: will.topic }, 'connection refused: will topic denied by ACL');
            callback(connackRefusal(5), false);
            return;
          }
          if (rec) {
            rec.clientId = client.id;
            rec.username = result.username;
            rec.acl = acl;
          }
          // [MQTT-3.1.4-2] aedes closes the older connection with this id; Mosquitto logs no notice for it
          const previous = options.clientById(client.id);
          const previousRec = previous && previous !== client ? records.of(previous) : undefined;
          if (previousRec) previousRec.reason ??= 'takeover';
          callback(null, true);
        },
        (err: unknown) => {
          logger.error({ err, clientId: client.id }, 'authentication failed unexpectedly');
          callback(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }), false);
        },
      );
    },

    authorizePublish(client, packet, callback) {
      if (client === null) {
        callback(null); // the broker's own messages and wills of clients that are gone
        return;
      }
      if (packet.topic.startsWith('$SYS')) {
        logger.debug({ clientId: client.id, topic: packet.topic }, 'publish to $SYS dropped');
        options.drop(packet);
      } else {
        const acl = records.of(client)?.acl;
        if (acl && !acl.canPublish(packet.topic)) {
          // MQTT 3.1.1 has no negative PUBACK: the publisher sees success, so the log names who tried.
          logger.warn({ clientId: client.id, username: records.of(client)?.username, topic: packet.topic }, 'publish denied by ACL, dropped');
          options.drop(packet);
        }
      }
      callback(null);
    },

    authorizeSubscribe(client, sub, callback) {
      // aedes 1.2 has no shared subscriptions: it would file `$share/<group>/<filter>` as a literal filter
      // that no topic name matches under the shared rules (MQTT 5 §4.8.2, @ledge/shared/model-mqtt). Refuse it
      // with SUBACK 0x80, where an MQTT 5 broker answers 0x9E "Shared Subscriptions not supported".
      if (parseSharedSubscription(sub.topic)) {
        logger.info({ clientId: client.id, topic: sub.topic }, 'shared subscription refused: not supported');
        callback(null, null);
        return;
      }
      const acl = records.of(client)?.acl;
      if (acl && !acl.canSubscribe(sub.topic)) {
        logger.debug({ clientId: client.id, topic: sub.topic }, 'subscription denied by ACL');
        callback(null, null); // SUBACK 0x80
        return;
      }
      callback(null, sub);
    },

    authorizeForward(client, packet) {
      const acl = records.of(client)?.acl;
      if (acl && !acl.canReceive(packet.topic)) return null;
      capDeliveryQos(internals(client), packet);
      if (packet.qos > 0 && !client.clean) options.redelivery.delivering(client.id, packet);
      return packet;
    },
  };
}
