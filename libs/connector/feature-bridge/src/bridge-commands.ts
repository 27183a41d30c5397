// Cloud → local: commands go down in the forms the protocol maps them to, and their correlation-ids are
// remembered so the answers may go up (§2.1.5). Also the cloud subscriptions for sub-devices, which
// follow the local clients' command subscriptions as the broker's $SYS log reports them.
import type { CloudProtocol, DeviceContext } from '@ledge/connector/model-connector';
import type { CloudClient, CloudMessage } from '@ledge/connector/data-access-cloud-mqtt';
import type { BusPacket, LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { getCorrelationId, getHeader, parseDittoTimeout, parseEnvelope } from '@ledge/shared/model-ditto';
import type { Logger } from '@ledge/shared/util';
import type { Twins } from './bridge-twins';
import { parseSysLogLine, type CommandSubscriptionTracker } from './sys-log';

export interface CommandsOptions {
  readonly protocol: CloudProtocol;
  readonly local: Pick<LocalBusClient, 'publish'>;
  /** Caches a command's correlation-id for `timeoutMs` + 5 s. */
  readonly rememberCorrelation: (id: string, timeoutMs: number) => void;
  readonly tracker: CommandSubscriptionTracker;
  readonly logger: Logger;
  /** The attached cloud client, if any. */
  readonly cloud: () => CloudClient | undefined;
  /** Local twins and the cloud's desired state (bridge-twins.ts). */
  readonly twins: Pick<Twins, 'handleCloud' | 'applyDesired'>;
}

export interface CommandCounters {
  commands: number;
  /** Cloud messages the protocol used itself (e.g. AWS shadow `accepted` responses), nothing published locally. */
  consumed: number;
}

export interface Commands {
  onCloudMessage(m: CloudMessage, ctx: DeviceContext): void;
  /** A `$SYS` subscribe/unsubscribe log line from the local broker. */
  onSysLog(p: BusPacket): void;
  /** Subscribes a new cloud client to the protocol's filters and the sub-devices' command filters. */
  subscribe(cl: CloudClient, ctx: DeviceContext): void;
  readonly counters: Readonly<CommandCounters>;
}

export function createCommands(o: CommandsOptions): Commands {
  const log = o.logger;
  const forwardSubs = o.protocol.deviceCommandSubscription !== undefined;
  const c: CommandCounters = { commands: 0, consumed: 0 };

  return {
    onCloudMessage(m, ctx) {
      if (o.twins.handleCloud(m, ctx)) {
        c.consumed++;
        return;
      }
      // Every message on the protocol's cloud subscriptions goes through toLocal (AWS shadow responses too).
      const mapped = o.protocol.toLocal(m, ctx);
      if (!mapped.ok) {
        log.debug({ topic: m.topic, reason: mapped.drop }, 'cloud message not routable locally; dropped');
        return;
      }
      if (mapped.desired !== undefined && mapped.desired.length > 0) o.twins.applyDesired(mapped.desired, ctx);
      if (mapped.messages.length === 0) {
        c.consumed++;
        return;
      }
      c.commands++;
      // Only commands that reach local apps can be answered: remember their correlation-id (§2.1.5). It is
      // read from what goes down, which differs from the cloud payload when the protocol builds the
      // envelope itself (Azure direct methods).
      const env = parseEnvelope(mapped.messages[0]!.payload);
      if (env.ok) {
        const id = getCorrelationId(env.envelope.headers);
        if (id !== undefined) o.rememberCorrelation(id, parseDittoTimeout(getHeader(env.envelope.headers, 'timeout')));
      }
      for (const l of mapped.messages) {
        o.local.publish(l.topic, l.payload, { qos: l.qos === 0 ? 0 : 1 }).catch((err: unknown) => log.warn({ err, topic: l.topic }, 'command not delivered locally'));
      }
    },
    onSysLog(p) {
      if (!forwardSubs) return;
      const event = parseSysLogLine(p.topic, p.payload.toString('utf8'));
      if (event === undefined) return;
      const change = o.tracker.apply(event);
      const cloud = o.cloud();
      for (const f of change.added) void cloud?.subscribe(f, 0);
      for (const f of change.removed) void cloud?.unsubscribe(f);
      if (change.added.length + change.removed.length > 0) log.info({ added: change.added, removed: change.removed }, 'sub-device command subscriptions changed');
    },
    subscribe(cl, ctx) {
      for (const f of o.protocol.cloudSubscriptions(ctx)) void cl.subscribe(f, 1);
      if (forwardSubs) for (const f of o.tracker.filters()) void cl.subscribe(f, 0);
    },
    counters: c,
  };
}
