// The aedes persistence contract (STYLE.md "Tests": every pluggable interface ships a contract suite
// that the in-memory and the real implementation both pass): aedes-persistence's own abstract suite,
// run under node:test the way aedes-persistence runs it for its async store (`testAsync: true`).
import { after, describe, it } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import MemoryPersistence from 'aedes-persistence/asyncPersistence.js';
import { captureLogger, createTempDir } from '@ledge/shared/util/testing';
import { createDiskPersistence, type DiskPersistenceOptions } from './disk-persistence';

type AbstractSuite = (opts: { test: typeof it; persistence: () => unknown; testAsync: boolean }) => void;
const abstractSuite = createRequire(import.meta.url)('aedes-persistence/abstract.js') as AbstractSuite;

describe('aedes-persistence contract: in-memory reference', () => {
  abstractSuite({ test: it, persistence: () => new MemoryPersistence(), testAsync: true });
});

for (const fsync of ['interval', 'always'] as const) {
  describe(`aedes-persistence contract: disk (fsync ${fsync})`, () => {
    const root = createTempDir({ after });
    const { logger } = captureLogger('contract', 'info');
    const options = (): DiskPersistenceOptions => ({ dir: mkdtempSync(join(root, 'p-')), logger, fsync });
    abstractSuite({ test: it, persistence: () => createDiskPersistence(options()), testAsync: true });
  });
}
