// Archive extraction: a tar.gz made by tar, zips built here (stored, deflated, CRC-32), and hand-made
// hostile archives (traversal, absolute names, links, bombs, damaged data).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { crc32, isLedgeError } from '@ledge/shared/util';
import { createTempDir, hasCommand, skipUnlessTools } from '@ledge/shared/util/testing';
import { confine, extractArchive } from './archive';
import { SoftwareUpdateErrorCodes } from './errors';

interface TarEntry {
  name: string;
  type?: string;
  body?: string;
  link?: string;
}

function tarHeader(name: string, size: number, type: string, link = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(link, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function makeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(tarHeader(e.name, body.length, e.type ?? '0', e.link), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

interface ZipEntry {
  name: string;
  body?: string | Buffer;
  /** Unix mode (type and permission bits) in the external attributes; default a 0644 file or a 0755 directory. */
  mode?: number;
  /** 0 stored, 8 deflated. */
  method?: 0 | 8;
  /** Uncompressed size written to the headers, when it should lie. */
  declaredSize?: number;
}


/**
 * A zip as zip(1) writes it: a local file header before each entry's data, then the central directory and
 * its end record; stored or raw-deflated data, CRC-32, Unix modes, directory entries. Built here so the
 * zip test runs wherever the suite runs (CI has no zip command).
 */
function makeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  const dosTime = (12 << 11) | (30 << 5);
  const dosDate = ((2024 - 1980) << 9) | (6 << 5) | 1;
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const isDir = e.name.endsWith('/');
    const raw = Buffer.from(e.body ?? '');
    const method = e.method ?? 0;
    const data = method === 8 ? deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const size = e.declaredSize ?? raw.length;
    const mode = e.mode ?? (isDir ? 0o040755 : 0o100644);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x800, 6); // UTF-8 names
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(dosTime, 10);
    lh.writeUInt16LE(dosDate, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the high 16 bits of the external attributes are st_mode
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(dosTime, 12);
    ch.writeUInt16LE(dosDate, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(((mode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, data);
    central.push(ch, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const code = (e: unknown) => (isLedgeError(e) ? e.code : String(e));

describe('confine', () => {
  const cases: [string, boolean][] = [
    ['a/b.txt', true],
    ['./a', true],
    ['a/../b', true],
    ['../x', false],
    ['a/../../x', false],
    ['/etc/passwd', false],
    ['C:/x', false],
    ['..\\x', false],
    ['', false],
  ];
  for (const [name, inside] of cases) it(`${JSON.stringify(name)} → ${inside ? 'inside' : 'refused'}`, () => assert.equal(confine('/d', name) !== undefined, inside));
});

describe('extractArchive', () => {
  it('extracts a tar.gz made by tar (nested dirs, long names)', { skip: skipUnlessTools('tar', !hasCommand('tar')) }, async (t) => {
    const dir = createTempDir(t);
    const src = join(dir, 'src');
    const long = 'd'.repeat(120);
    mkdirSync(join(src, 'sub', long), { recursive: true });
    writeFileSync(join(src, 'install.sh'), 'echo hi\n');
    writeFileSync(join(src, 'sub', long, 'f.txt'), 'x'.repeat(100_000));
    execFileSync('tar', ['czf', join(dir, 'a.tgz'), '-C', src, '.']);
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await extractArchive(join(dir, 'a.tgz'), out);
    assert.equal(readFileSync(join(out, 'install.sh'), 'utf8'), 'echo hi\n');
    assert.equal(readFileSync(join(out, 'sub', long, 'f.txt'), 'utf8').length, 100_000);
    assert.equal(r.bytes, 100_008);
  });

  it('extracts a zip: stored and deflated entries, nested and empty directories, modes', async (t) => {
    const dir = createTempDir(t);
    const random = randomBytes(20_000);
    const zip = makeZip([
      { name: 'install.sh', body: 'echo zip\n', mode: 0o100755 },
      { name: 'sub/' },
      { name: 'sub/deeper/' },
      { name: 'sub/deeper/big.txt', body: 'y'.repeat(300_000), method: 8 },
      { name: 'sub/deeper/empty.txt', body: '' },
      { name: 'implicit/parent/r.bin', body: random, method: 8 },
      { name: 'empty-dir/' },
    ]);
    assert.ok(zip.length < 30_000, `big.txt is deflated in the archive (${zip.length} bytes)`);
    writeFileSync(join(dir, 'a.zip'), zip);
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await extractArchive(join(dir, 'a.zip'), out);
    assert.equal(readFileSync(join(out, 'install.sh'), 'utf8'), 'echo zip\n');
    assert.equal(readFileSync(join(out, 'sub', 'deeper', 'big.txt'), 'utf8'), 'y'.repeat(300_000));
    assert.equal(readFileSync(join(out, 'sub', 'deeper', 'empty.txt'), 'utf8'), '');
    assert.deepEqual(readFileSync(join(out, 'implicit', 'parent', 'r.bin')), random, 'a parent without its own entry is created');
    assert.ok(statSync(join(out, 'empty-dir')).isDirectory());
    assert.notEqual(statSync(join(out, 'install.sh')).mode & 0o100, 0, 'the executable bit is kept');
    assert.deepEqual(r, { entries: 7, bytes: 9 + 300_000 + 20_000 });
  });

  it('keeps a symlink that stays inside', async (t) => {
    const dir = createTempDir(t);
    writeFileSync(join(dir, 'a.tar'), makeTar([{ name: 'real.txt', body: 'r' }, { name: 'alias', type: '2', link: 'real.txt' }]));
    const out = join(dir, 'out');
    mkdirSync(out);
    await extractArchive(join(dir, 'a.tar'), out);
    assert.ok(lstatSync(join(out, 'alias')).isSymbolicLink());
    assert.equal(readlinkSync(join(out, 'alias')), 'real.txt');
  });

  const hostile: [string, () => Buffer][] = [
    ['tar ../ traversal', () => gzipSync(makeTar([{ name: '../evil.txt', body: 'x' }]))],
    ['tar absolute path', () => makeTar([{ name: '/tmp/evil.txt', body: 'x' }])],
    ['tar symlink to /etc', () => makeTar([{ name: 'l', type: '2', link: '/etc' }])],
    ['tar symlink up and out', () => makeTar([{ name: 'l', type: '2', link: '../../..' }])],
    ['tar write through an inside link to a dir that is then replaced', () => makeTar([{ name: 'd', type: '5' }, { name: 'l', type: '2', link: 'd' }, { name: 'l', body: 'overwrite the link' }])],
    ['tar hard link', () => makeTar([{ name: 'h', type: '1', link: 'x' }])],
    ['tar device node', () => makeTar([{ name: 'dev', type: '3' }])],
    ['tar bad checksum', () => {
      const b = makeTar([{ name: 'a', body: 'x' }]);
      b[0] = 0x62;
      return b;
    }],
    ['truncated tar.gz', () => gzipSync(makeTar([{ name: 'a', body: 'x'.repeat(5000) }])).subarray(0, 60)],
    ['zip ../ traversal', () => makeZip([{ name: '../evil.txt', body: 'x' }])],
    ['zip ../ traversal inside a deflated entry after a good one', () => makeZip([{ name: 'ok.txt', body: 'fine', method: 8 }, { name: 'a/../../evil.txt', body: 'x', method: 8 }])],
    ['zip ..\\ traversal (backslash)', () => makeZip([{ name: '..\\evil.txt', body: 'x' }])],
    ['zip absolute path', () => makeZip([{ name: '/tmp/evil.txt', body: 'x' }])],
    ['zip absolute directory entry', () => makeZip([{ name: '/tmp/evil-dir/' }])],
    ['zip symlink entry', () => makeZip([{ name: 'l', body: '/etc/passwd', mode: 0o120777 }])],
    ['zip entry inflating beyond its declared size', () => makeZip([{ name: 'z', body: '\0'.repeat(100_000), method: 8, declaredSize: 1_000 }])],
    ['zip with damaged deflate data', () => {
      const b = makeZip([{ name: 'd', body: randomBytes(5_000), method: 8 }]);
      b.fill(0xff, 30 + 1, 30 + 1 + 64);
      return b;
    }],
    ['not an archive', () => Buffer.from('#!/bin/sh\necho plain\n')],
  ];
  for (const [name, make] of hostile) {
    it(`refuses: ${name}`, async (t) => {
      const dir = createTempDir(t);
      const out = join(dir, 'out');
      mkdirSync(out);
      writeFileSync(join(dir, 'a.bin'), make());
      await assert.rejects(extractArchive(join(dir, 'a.bin'), out), (e) => code(e) === SoftwareUpdateErrorCodes.ARCHIVE_INVALID);
      assert.equal(existsSync(join(dir, 'evil.txt')), false);
    });
  }

  const bombs: [string, () => Buffer][] = [
    ['tar.gz', () => gzipSync(makeTar([{ name: 'z', body: '\0'.repeat(2_000_000) }]))],
    ['zip', () => makeZip([{ name: 'a', body: '\0'.repeat(600_000), method: 8 }, { name: 'b', body: '\0'.repeat(600_000), method: 8 }])],
  ];
  for (const [format, make] of bombs) {
    it(`stops a ${format} bomb at maxBytes`, async (t) => {
      const dir = createTempDir(t);
      writeFileSync(join(dir, 'b.bin'), make());
      const out = join(dir, 'out');
      mkdirSync(out);
      await assert.rejects(extractArchive(join(dir, 'b.bin'), out, { maxBytes: 1_000_000, maxEntries: 10 }), (e) => code(e) === SoftwareUpdateErrorCodes.ARCHIVE_INVALID && /more than 1000000 bytes/.test((e as Error).message));
    });
  }
});
