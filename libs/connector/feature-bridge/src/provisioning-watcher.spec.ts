import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureLogger, createFakeTime, createTempDir, waitFor } from '@ledge/shared/util/testing';
import { createProvisioningWatcher } from './provisioning-watcher';

// Fake time drives the debounce and the poll; the file's signature is read synchronously (statSync), so
// what a timer starts has finished once advance() has settled. Only fs.watch's events stay asynchronous:
// the test waits for them to arm the debounce (the poll's timer plus that one: two pending timers).
const syncStat = async (file: string) => statSync(file);

describe('provisioning watcher (§2.1.2)', () => {
  it('reports creation, a change and removal, each burst of writes once (debounced)', async (t) => {
    const dir = createTempDir(t);
    const file = join(dir, 'provisioning.json');
    const { logger, lines } = captureLogger();
    const time = createFakeTime();
    let changes = 0;
    const w = createProvisioningWatcher({ file, debounceMs: 100, pollMs: 1_000, logger, onChange: () => changes++, scheduler: time.scheduler, stat: syncStat });
    t.after(() => w.close());
    await w.start();
    await time.advance(150);
    assert.equal(changes, 0, 'nothing happened yet');

    // An editor's write-write-rename burst settles into one change.
    writeFileSync(file, '{"a":1}');
    writeFileSync(file, '{"a":12}');
    writeFileSync(file, '{"a":123}');
    await waitFor(() => time.pending() === 2, 3_000, 'fs.watch saw the burst');
    await time.advance(99);
    assert.equal(changes, 0, 'not before the debounce');
    await time.advance(1);
    assert.equal(changes, 1, 'one change for the burst');
    await time.advance(250);
    assert.equal(changes, 1);

    writeFileSync(file, '{"b":2,"c":3}');
    await waitFor(() => time.pending() === 2, 3_000, 'fs.watch saw the write');
    await time.advance(100);
    assert.equal(changes, 2, 'a changed file');
    rmSync(file);
    await waitFor(() => time.pending() === 2, 3_000, 'fs.watch saw the removal');
    await time.advance(100);
    assert.equal(changes, 3, 'a removed file');
    assert.equal(lines.filter((l) => l['msg'] === 'provisioning file changed').length, 3);
  });

  it('falls back to the stat poll when the directory does not exist yet, and stops after close()', async (t) => {
    const dir = createTempDir(t);
    const file = join(dir, 'later', 'provisioning.json');
    const { logger, lines } = captureLogger();
    const time = createFakeTime();
    let changes = 0;
    const w = createProvisioningWatcher({ file, debounceMs: 20, pollMs: 50, logger, onChange: () => changes++, scheduler: time.scheduler, stat: syncStat });
    await w.start();
    assert.ok(lines.some((l) => l['msg'] === 'cannot watch the provisioning directory; polling only'));
    mkdirSync(join(dir, 'later'));
    writeFileSync(file, '{}');
    await time.advance(50 + 20); // the poll sees the file, then the debounce passes
    assert.equal(changes, 1, 'polled change');
    w.close();
    assert.equal(time.pending(), 0, 'no timer left after close()');
    writeFileSync(file, '{"changed":true}');
    await time.advance(200);
    assert.equal(changes, 1, 'no change reported after close()');
  });
});
