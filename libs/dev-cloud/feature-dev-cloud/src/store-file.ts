// The twin store on disk (issue 24): one JSON file under dataDir, replaced durably; a burst of changes is one
// write (coalesced behind a short timer); a file that cannot be read as a store is moved aside, not fatal.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonObject } from '@ledge/shared/model-ditto';
import { emptyTwinState, reviveThing, type Thing, type TwinState } from '@ledge/dev-cloud/model-dev-cloud';
import { writeFileDurably, type Clock, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';

export const STORE_FILE = 'things.json';

export interface StoreFileOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** The write delay's timer (unref'd: a pending write does not hold the process; close() flushes it). */
  readonly scheduler: Scheduler;
  /** Names the moved-aside copy of an unreadable file. */
  readonly clock: Clock;
  /** How long a change waits for more before the write. */
  readonly writeDelayMs: number;
}

export interface StoreFile {
  load(): Promise<TwinState>;
  /** Remembers the state and writes it soon. */
  save(state: TwinState): void;
  /** Writes what is pending now and waits for it. */
  flush(): Promise<void>;
}

export function createStoreFile(options: StoreFileOptions): StoreFile {
  const { dataDir, logger, scheduler, clock, writeDelayMs } = options;
  const path = join(dataDir, STORE_FILE);
  let pending: TwinState | undefined;
  let timer: Timer | undefined;
  let writing: Promise<void> | undefined;

  const write = async (): Promise<void> => {
    timer = undefined;
    if (writing) await writing; // one write at a time; the latest state wins
    const state = pending;
    if (state === undefined) return;
    pending = undefined;
    const run = writeFileDurably(path, `${JSON.stringify({ version: 1, things: state.things })}\n`).catch((err: unknown) => {
      logger.error({ err, path }, 'twin store not written');
    });
    writing = run;
    await run;
    if (writing === run) writing = undefined;
  };

  return {
    async load() {
      await mkdir(dataDir, { recursive: true });
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyTwinState;
        throw err;
      }
      const state = parseStore(text, logger);
      if (state !== undefined) return state;
      const aside = `${path}.corrupt-${clock.now()}`;
      await rename(path, aside);
      logger.warn({ path, movedTo: aside }, 'twin store file unreadable: moved aside, starting empty');
      return emptyTwinState;
    },
    save(state) {
      pending = state;
      timer ??= scheduler.setTimeout(() => void write(), writeDelayMs).unref();
    },
    async flush() {
      timer?.cancel();
      await write();
      if (writing) await writing;
    },
  };
}

function parseStore(text: string, logger: Logger): TwinState | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    logger.debug({ err }, 'twin store is not JSON');
    return undefined;
  }
  if (!isJsonObject(raw) || raw['version'] !== 1 || !isJsonObject(raw['things'])) return undefined;
  const things: Record<string, Thing> = {};
  for (const [id, t] of Object.entries(raw['things'])) {
    const thing = reviveThing(id, t);
    if (thing === undefined) logger.warn({ thingId: id }, 'twin store: a Thing of the wrong shape was dropped');
    else Object.defineProperty(things, id, { value: thing, enumerable: true, writable: true, configurable: true });
  }
  return { things };
}
