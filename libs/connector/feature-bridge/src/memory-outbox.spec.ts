// The in-memory outbox the bridge's unit tests use passes the same contract as the on-disk one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOutbox } from '@ledge/shared/data-access-store';
import { createLogger } from '@ledge/shared/util';
import { createMemoryOutbox } from './testing/memory-outbox';
import { outboxContract } from './testing/outbox-contract';

outboxContract('in memory (testing/memory-outbox)', { make: (_t, bounds) => createMemoryOutbox(bounds) });

outboxContract('on disk (@ledge/shared/data-access-store createOutbox)', {
  make(t, bounds) {
    const dir = mkdtempSync(join(tmpdir(), 'ledge-outbox-contract-'));
    const outbox = createOutbox({ dir, logger: createLogger({ name: 't', level: 'silent' }), fsync: 'never', ...bounds });
    t.after(async () => {
      await outbox.close(); // idempotent: closed before its directory goes
      rmSync(dir, { recursive: true, force: true });
    });
    return outbox;
  },
});
