// Per-filter message handlers. A handler that throws or rejects (e.g. on a bad payload) is logged and
// skipped; it never reaches MQTT.js's packet loop, other handlers or the process.
import type { Logger } from '@ledge/shared/util';
import { isValidTopicFilter, topicMatches } from '@ledge/shared/model-mqtt';
import { invalidFilterError } from './errors';
import type { BusPacket, MessageHandler } from './types';

export interface HandlerRegistry {
  add(filter: string, handler: MessageHandler): () => void;
  /** Calls every handler whose filter matches; returns how many matched. */
  dispatch(packet: BusPacket): number;
  readonly size: number;
}

export function createHandlerRegistry(logger: Logger): HandlerRegistry {
  const handlers: { filter: string; handler: MessageHandler }[] = [];
  const failed = (err: unknown, filter: string, topic: string) => logger.error({ err, filter, topic }, 'message handler failed');
  return {
    add(filter, handler) {
      if (!isValidTopicFilter(filter)) throw invalidFilterError(filter);
      const entry = { filter, handler };
      handlers.push(entry);
      return () => {
        const i = handlers.indexOf(entry);
        if (i >= 0) handlers.splice(i, 1);
      };
    },
    dispatch(packet) {
      let n = 0;
      for (const { filter, handler } of [...handlers]) {
        if (!topicMatches(filter, packet.topic)) continue;
        n++;
        try {
          const r = handler(packet.topic, packet.payload, packet);
          if (r !== undefined && typeof r.then === 'function') r.then(undefined, (err: unknown) => failed(err, filter, packet.topic));
        } catch (err) {
          failed(err, filter, packet.topic);
        }
      }
      return n;
    },
    get size() {
      return handlers.length;
    },
  };
}
