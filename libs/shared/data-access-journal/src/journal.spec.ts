import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '@ledge/shared/util/testing';
import { appOfRecord, createJournalctlReader, journalctlArgs, JournalUnavailableError, parseJournalRecord } from './journal';

const rec = (unit: string, message: unknown, t = '1796000000000000') => JSON.stringify({ _SYSTEMD_UNIT: unit, MESSAGE: message, __REALTIME_TIMESTAMP: t });

describe('journal', () => {
  it('parses journalctl JSON records; byte-array messages too; refuses the rest', () => {
    assert.deepEqual(parseJournalRecord(rec('ledge-broker.service', 'hello')), { unit: 'ledge-broker.service', timeUs: 1796000000000000, message: 'hello' });
    assert.equal(parseJournalRecord(rec('ledge-broker.service', [104, 105]))?.message, 'hi');
    for (const bad of ['', 'garbage', 'null', '[]', JSON.stringify({ MESSAGE: 'x' }), rec('u', { no: 1 })]) assert.equal(parseJournalRecord(bad), undefined, bad);
  });

  it('knows whose a record is: its own unit, or its app field in ledge.service', () => {
    const r = (unit: string, message: string) => parseJournalRecord(rec(unit, message))!;
    assert.equal(appOfRecord(r('ledge-connector.service', 'x')), 'connector');
    assert.equal(appOfRecord(r('ledge.service', '{"name":"ledge","app":"file-upload","msg":"x"}')), 'file-upload');
    assert.equal(appOfRecord(r('ledge.service', '{"name":"ledge","msg":"started"}')), 'ledge');
    assert.equal(appOfRecord(r('ledge.service', 'not json')), undefined);
    assert.equal(appOfRecord(r('sshd.service', 'x')), undefined);
  });

  it('asks journalctl for the units and window, and reads its output (a stand-in journalctl)', async (t) => {
    assert.deepEqual(journalctlArgs({ units: ['a.service', 'b.service'], sinceS: 10.7, untilS: 20, lines: 5 }), ['--no-pager', '-o', 'json', '-u', 'a.service', '-u', 'b.service', '--since', '@10', '--until', '@20', '-n', '5']);
    const dir = createTempDir(t);
    const fake = join(dir, 'journalctl');
    writeFileSync(fake, `#!/bin/sh\necho "$*" > ${join(dir, 'args')}\necho '${rec('ledge-broker.service', 'one')}'\necho 'noise'\necho '${rec('ledge-broker.service', 'two')}'\n`);
    chmodSync(fake, 0o755);
    const got = await createJournalctlReader(fake).read({ units: ['ledge-broker.service'] });
    assert.deepEqual(got.map((r) => r.message), ['one', 'two']);
    assert.deepEqual((await createJournalctlReader(fake).read({ units: ['ledge-broker.service'], maxRecords: 1 })).map((r) => r.message), ['one']);
    await assert.rejects(createJournalctlReader(join(dir, 'missing')).read({ units: [] }), JournalUnavailableError);
    const failing = join(dir, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "No journal files were found." >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    await assert.rejects(createJournalctlReader(failing).read({ units: [] }), /No journal files were found/);
  });
});
