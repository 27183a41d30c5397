// Counts messages dropped by an overflow rule and warns about them at most once per interval, so a
// flooded queue cannot flood the journal (of systemd) with one line per message as well.
import type { Logger } from '@ledge/shared/util';
import { StoreErrorCodes } from './errors';

export interface DropReporter {
  /** Records `n` drops; `fields` is evaluated only when a warning is due. */
  note(n: number, fields: () => Record<string, unknown>): void;
  /** Drops since creation. */
  readonly total: number;
}

export function createDropReporter(logger: Logger, intervalMs: number, now: () => number, message: string): DropReporter {
  let total = 0;
  let unlogged = 0;
  let last = -Infinity;
  return {
    note(n, fields) {
      total += n;
      unlogged += n;
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      logger.warn({ code: StoreErrorCodes.QUEUE_FULL, dropped: unlogged, droppedTotal: total, ...fields() }, message);
      unlogged = 0;
    },
    get total() {
      return total;
    },
  };
}
