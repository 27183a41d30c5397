// Watches provisioning.json for create/write/remove (§2.1.2): fs.watch on the directory (the file may
// not exist yet) plus a stat poll as fallback (network file systems, overlayfs), debounced (Kanto
// uses a 3 s ticker) so an editor's write-rename-chmod sequence is one change.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { systemScheduler, type Logger, type Scheduler, type Timer } from '@ledge/shared/util';

export interface ProvisioningWatcherOptions {
  readonly file: string;
  readonly debounceMs: number;
  readonly pollMs: number;
  readonly logger: Logger;
  readonly onChange: () => void;
  /** The debounce and poll timers (default: the system's). */
  readonly scheduler?: Scheduler;
  /** Reads the file's signature (default fs/promises stat); rejects when the file is absent. */
  readonly stat?: (file: string) => Promise<{ mtimeMs: number; size: number; ino: number }>;
}

export interface ProvisioningWatcher {
  /** Throws when neither fs.watch nor polling can start (status CONFIG_ERROR). */
  start(): Promise<void>;
  close(): void;
}

export function createProvisioningWatcher(o: ProvisioningWatcherOptions): ProvisioningWatcher {
  let watcher: FSWatcher | undefined;
  const scheduler = o.scheduler ?? systemScheduler;
  const statFile = o.stat ?? stat;
  let poll: Timer | undefined;
  let debounce: Timer | undefined;
  let last = '';
  let closed = false;

  const signature = async () => {
    try {
      const s = await statFile(o.file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'absent';
    }
  };
  const changed = () => {
    if (closed) return;
    debounce?.cancel();
    debounce = scheduler.setTimeout(() => {
      void signature().then((sig) => {
        if (closed || sig === last) return;
        last = sig;
        o.logger.info({ file: o.file }, 'provisioning file changed');
        o.onChange();
      });
    }, o.debounceMs);
  };

  return {
    async start() {
      last = await signature();
      try {
        watcher = watch(dirname(o.file), (_event, name) => {
          if (name === null || name === basename(o.file)) changed();
        });
        watcher.on('error', (err) => o.logger.warn({ err }, 'provisioning watch failed; polling only'));
      } catch (err) {
        o.logger.warn({ err, file: o.file }, 'cannot watch the provisioning directory; polling only');
      }
      poll = scheduler.setInterval(() => {
        void signature().then((sig) => sig !== last && changed());
      }, o.pollMs);
      poll.unref();
    },
    close() {
      closed = true;
      watcher?.close();
      poll?.cancel();
      debounce?.cancel();
    },
  };
}
