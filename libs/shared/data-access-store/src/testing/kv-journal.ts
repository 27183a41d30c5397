// Spec helper: a tiny key-value state machine on the journal. Records are "key=value".
import { captureLogger } from '@ledge/shared/util/testing';
import { createJournal, type JournalOptions } from '../journal';

export function kvState() {
  const map = new Map<string, string>();
  return {
    map,
    replay(p: Buffer) {
      const [k, v] = p.toString().split('=');
      map.set(k!, v!);
    },
    *snapshot() {
      for (const [k, v] of map) yield Buffer.from(`${k}=${v}`);
    },
  };
}

export async function openKvJournal(dir: string, opts: Partial<JournalOptions> = {}) {
  const captured = captureLogger();
  const state = kvState();
  const journal = createJournal({ dir, logger: captured.logger, ...opts });
  const summary = await journal.open(state);
  const put = (k: string, v: string) => {
    journal.append(Buffer.from(`${k}=${v}`));
    state.map.set(k, v);
  };
  return { journal, state, summary, put, lines: captured.lines };
}
