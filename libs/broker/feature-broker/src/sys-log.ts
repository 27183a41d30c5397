// Publishes the Mosquitto-format log lines on $SYS/broker/log/..., one at a time and in order (QoS 2, not
// retained, as Mosquitto's log__vprintf does): a subscribe line overtaken by its unsubscribe line would make
// the connector keep a cloud subscription nobody needs.
import type { Logger } from '@ledge/shared/util';
import type { SysLogType } from './config';
import { SYS_LOG_TOPICS, type SysLogLine } from './sys-log-lines';

export interface SysLogOptions {
  /** Enabled line types (config `sysLog`). */
  types: readonly SysLogType[];
  publish(topic: string, payload: Buffer): Promise<void>;
  logger: Logger;
}

export interface SysLog {
  emit(line: SysLogLine | undefined): void;
  /** Resolves once the lines emitted so far are published; later lines are dropped. */
  close(): Promise<void>;
}

export function createSysLog(options: SysLogOptions): SysLog {
  const enabled = new Set(options.types);
  const logger = options.logger.child({ component: 'sys-log' });
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  return {
    emit(line) {
      if (line === undefined || closed || !enabled.has(line.type)) return;
      const topic = SYS_LOG_TOPICS[line.type];
      chain = chain.then(() =>
        options.publish(topic, Buffer.from(line.text, 'utf8')).catch((err: unknown) => {
          logger.debug({ err, topic }, 'sys log line not published');
        }),
      );
    },
    async close() {
      closed = true;
      await chain;
    },
  };
}
