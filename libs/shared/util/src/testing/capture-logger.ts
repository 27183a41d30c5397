// A real pino logger whose JSON lines are kept in memory, so tests assert on fields.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../logger';

export interface CapturedLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function captureLogger(name = 'test', level: 'trace' | 'debug' | 'info' = 'debug'): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ name, level, pretty: false, destination }), lines };
}
