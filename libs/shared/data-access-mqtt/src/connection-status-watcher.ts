// The connector's cloud-link status (spec §1.1, §1.2): a retained QoS 1 message on
// `edge/connection/remote/status`, delivered on subscribe and on every change; the connector's Last
// Will sets it to `{"connected":false,"cause":"CONNECTION_UNKNOWN"}` when the connector dies.
import { createLogger, onlyOnce, TypedEmitter, type EventSource, type Logger } from '@ledge/shared/util';
import { EdgeTopics, parseConnectionStatus, type ConnectionStatus as RemoteConnectionStatus } from '@ledge/shared/model-edge';
import { closedError } from './errors';
import type { LocalBusClient } from './types';

export interface ConnectionStatusWatcherOptions {
  client: LocalBusClient;
  logger?: Logger;
}

export interface ConnectionStatusWatcherEvents {
  /** A valid status that differs from the previous one (a retained repeat after a reconnect is not emitted). */
  status: [status: RemoteConnectionStatus, previous: RemoteConnectionStatus | undefined];
}

export interface ConnectionStatusWatcher extends EventSource<ConnectionStatusWatcherEvents> {
  /** The last valid status; undefined until the first one arrives (no connector has ever run). */
  readonly current: RemoteConnectionStatus | undefined;
  /** Shorthand for current?.connected === true. */
  readonly remoteConnected: boolean;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createConnectionStatusWatcher(options: ConnectionStatusWatcherOptions): ConnectionStatusWatcher {
  const { client } = options;
  const logger = (options.logger ?? createLogger({ name: 'ledge', level: 'silent' })).child({ component: 'connection-status-watcher' });
  const events = new TypedEmitter<ConnectionStatusWatcherEvents>((err, event) => logger.error({ err, event }, 'status listener failed'));
  let current: RemoteConnectionStatus | undefined;
  let started = false;
  let closed = false;
  let removeHandler: (() => void) | undefined;

  const onStatus = (_topic: string, payload: Buffer) => {
    if (closed) return;
    if (payload.length === 0) return; // a cleared retained message [MQTT-3.3.1-10]: nothing to report
    const parsed = parseConnectionStatus(payload);
    if (!parsed.ok) {
      logger.warn({ problems: parsed.problems, payload: payload.toString('utf8', 0, 256) }, 'invalid connection status ignored');
      return;
    }
    const previous = current;
    if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(parsed.status)) return;
    current = parsed.status;
    logger.info({ connected: current.connected, cause: current.connected ? undefined : current.cause, timestamp: current.timestamp }, 'remote connection status');
    events.emit('status', current, previous);
  };

  const api = {
    get current() {
      return current;
    },
    get remoteConnected() {
      return current?.connected === true;
    },
    async start() {
      if (closed) throw closedError('connection status watcher');
      if (started) return;
      started = true;
      removeHandler = client.onMessage(EdgeTopics.connectionStatus, onStatus);
      await client.subscribe(EdgeTopics.connectionStatus, { qos: 1 });
    },
    close: onlyOnce(async () => {
      closed = true;
      if (!started) return;
      removeHandler?.();
      await client.unsubscribe(EdgeTopics.connectionStatus).catch((err: unknown) => logger.debug({ err }, 'unsubscribe failed'));
    }),
  };
  return Object.defineProperties(events, Object.getOwnPropertyDescriptors(api)) as TypedEmitter<ConnectionStatusWatcherEvents> & typeof api;
}
