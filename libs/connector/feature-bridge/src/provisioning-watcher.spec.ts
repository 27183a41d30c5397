import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureLogger, createTempDir, waitFor } from '@ledge/util/testing';
import { createProvisioningWatcher } from './provisioning-watcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('provisioning watcher (§2.1.2)', () => {
  it('reports creation, a change and removal, each burst of writes once (debounced)', async (t) => {
    const dir = createTempDir(t);
    const file = join(dir, 'provisioning.json');
    const { logger, lines } = captureLogger();
    let changes = 0;
    const w = createProvisioningWatcher({ file, debounceMs: 100, pollMs: 1_000, logger, onChange: () => changes++ });
    t.after(() => w.close());
    await w.start();
    await sleep(150);
    assert.equal(changes, 0, 'nothing happened yet');

    // An editor's write-write-rename burst settles into one change.
    writeFileSync(file, '{"a":1}');
    writeFileSync(file, '{"a":12}');
    writeFileSync(file, '{"a":123}');
    await waitFor(() => changes === 1, 3_000, 'one change for the burst');
    await sleep(250);
    assert.equal(changes, 1);

    writeFileSync(file, '{"b":2,"c":3}');
    await waitFor(() => changes === 2, 3_000, 'a changed file');
    rmSync(file);
    await waitFor(() => changes === 3, 3_000, 'a removed file');
    assert.equal(lines.filter((l) => l['msg'] === 'provisioning file changed').length, 3);
  });

  it('falls back to the stat poll when the directory does not exist yet, and stops after close()', async (t) => {
    const dir = createTempDir(t);
    const file = join(dir, 'later', 'provisioning.json');
    const { logger, lines } = captureLogger();
    let changes = 0;
    const w = createProvisioningWatcher({ file, debounceMs: 20, pollMs: 50, logger, onChange: () => changes++ });
    await w.start();
    assert.ok(lines.some((l) => l['msg'] === 'cannot watch the provisioning directory; polling only'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'later'));
    writeFileSync(file, '{}');
    await waitFor(() => changes === 1, 3_000, 'polled change');
    w.close();
    writeFileSync(file, '{"changed":true}');
    await sleep(200);
    assert.equal(changes, 1, 'no change reported after close()');
  });
});
