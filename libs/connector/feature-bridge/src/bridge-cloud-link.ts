// The bridge's one cloud connection at a time: attach wires a client the caller built (subscriptions,
// commands down, uplink drain on every connect, status on every change); detach closes it and
// publishes the new cause. Provisioning changes detach and attach again; the outbox stays.
import type { DeviceContext } from '@ledge/connector/model-connector';
import type { CloudClient } from '@ledge/connector/data-access-cloud-mqtt';
import type { ConnectionCause, ThingIdentity } from '@ledge/shared/model-edge';
import type { Commands } from './bridge-commands';
import type { CloudLink } from './bridge-intake';
import type { StatusPublisher } from './bridge-status';
import type { Twins } from './bridge-twins';
import type { Uplink } from './uplink';

export interface CloudLinkOptions {
  readonly uplink: Pick<Uplink, 'connected' | 'disconnected'>;
  readonly commands: Pick<Commands, 'subscribe' | 'onCloudMessage'>;
  readonly status: Pick<StatusPublisher, 'setCause' | 'publish' | 'announceIdentity'>;
  readonly twins: Pick<Twins, 'connected' | 'disconnected'>;
  /** Wall clock for the protocol's DeviceContext. */
  readonly now: () => number;
}

export interface CloudLinkHolder {
  attach(cloud: CloudClient, identity: ThingIdentity): void;
  detach(cause: ConnectionCause): Promise<void>;
  /** The attached client and its device, if any. */
  current(): CloudLink | undefined;
  /** Answers edge/thing/request with the last attached identity (none before the first attach). */
  announceIdentity(): void;
}

export function createCloudLinkHolder(o: CloudLinkOptions): CloudLinkHolder {
  const { uplink, commands, status } = o;
  let cloud: CloudClient | undefined;
  let identity: ThingIdentity | undefined;
  let ctx: DeviceContext | undefined;
  const announceIdentity = () => status.announceIdentity(identity);

  return {
    attach(cl, id) {
      cloud = cl;
      identity = id;
      const context: DeviceContext = { deviceId: id.deviceId, tenantId: id.tenantId, now: o.now };
      ctx = context;
      commands.subscribe(cl, context);
      cl.on('message', (m) => {
        if (ctx !== undefined) commands.onCloudMessage(m, ctx);
      });
      cl.on('connected', () => {
        status.setCause(undefined);
        uplink.connected(cl, context);
        o.twins.connected({ client: cl, ctx: context });
        void status.publish(true);
        announceIdentity();
      });
      cl.on('disconnected', (info) => {
        uplink.disconnected();
        o.twins.disconnected();
        // A credentials renewal (Azure SAS) reconnects at once: no status flap for local apps.
        if (info.renewal === true) return;
        status.setCause(info.cause);
        void status.publish(true);
      });
      cl.start();
      announceIdentity();
    },
    async detach(cause) {
      const cl = cloud;
      cloud = undefined;
      uplink.disconnected();
      o.twins.disconnected();
      status.setCause(cause);
      if (cl) {
        cl.removeAllListeners();
        await cl.close();
      }
      await status.publish(true);
    },
    current: () => (cloud !== undefined && ctx !== undefined ? { client: cloud, ctx } : undefined),
    announceIdentity,
  };
}
