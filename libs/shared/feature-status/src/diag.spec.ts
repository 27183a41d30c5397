import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDiagBundle, scrub, secretValues, SCRUBBED } from './diag';
import { tarGz } from '@ledge/shared/util';
import { extractTarGz } from '@ledge/shared/util/testing';

describe('ledge diag', () => {
  it('tarGz writes an archive GNU tar reads back byte for byte', (t) => {
    const big = Buffer.alloc(1300, 7);
    const x = extractTarGz(t, tarGz([{ name: 'd/a.txt', content: Buffer.from('hello\n') }, { name: 'd/empty', content: Buffer.alloc(0) }, { name: 'd/big.bin', content: big }], 1_796_000_000_000));
    assert.deepEqual(x.list, ['d/a.txt', 'd/empty', 'd/big.bin']);
    assert.equal(x.read('d/a.txt'), 'hello\n');
    assert.equal(x.read('d/empty'), '');
    assert.ok(readFileSync(join(x.dir, 'd/big.bin')).equals(big));
    assert.throws(() => tarGz([{ name: '../evil', content: Buffer.alloc(1) }], 0), RangeError);
  });

  it('finds secrets by key at any depth and blanks them anywhere, longest first', () => {
    const config = { password: 'cloud-password-1', users: [{ username: 'alice', password: 'alice-password' }], connectionString: 'HostName=h;DeviceId=d;SharedAccessKey=abcdefgh', localPassword: '', logLevel: 'info' };
    const found = secretValues(config);
    assert.deepEqual([...found].sort(), ['HostName=h;DeviceId=d;SharedAccessKey=abcdefgh', 'alice-password', 'cloud-password-1']);
    assert.equal(scrub('a cloud-password-1 b alice-password c', found), `a ${SCRUBBED} b ${SCRUBBED} c`);
    assert.equal(scrub('short pw: abc', new Set(['abc'])), 'short pw: abc', 'too short to blank in free text');
  });

  it('the bundle holds versions, status, configs and journal, and no secret anywhere', async (t) => {
    const secrets = new Set(['cloud-password-1', 'local-file-password-9']);
    const { archive, files } = await buildDiagBundle({
      versions: { ledge: '0.1.0' },
      status: async () => ({ bus: { reachable: false }, problems: ['x'] }),
      configs: async () => ({ configs: { connector: { config: { password: '[redacted]', note: 'cloud-password-1 leaked into a free-text field' } } }, secrets }),
      journal: async () => 'Dec 07 ledge-connector[1]: {"msg":"auth with local-file-password-9"}\n',
      now: () => 1_796_000_000_000,
    });
    const x = extractTarGz(t, archive);
    assert.deepEqual(x.list, files);
    assert.deepEqual(files, ['ledge-diag/versions.json', 'ledge-diag/status.json', 'ledge-diag/config/connector.json', 'ledge-diag/journal.log']);
    for (const f of files) for (const s of secrets) assert.ok(!x.read(f).includes(s), `${s} in ${f}`);
    assert.match(x.read('ledge-diag/journal.log'), /auth with \[redacted\]/);
  });
});
