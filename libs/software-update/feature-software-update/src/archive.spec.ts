// Archive extraction: real archives made by tar/zip, and hand-made hostile ones (traversal, links, bombs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isLedgeError } from '@ledge/util';
import { createTempDir, hasCommand } from '@ledge/util/testing';
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

/** A stored (uncompressed) zip; CRCs are not checked by the extractor (the artifact checksum is). */
function makeZip(entries: { name: string; body: string; mode?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = Buffer.from(e.body);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(body.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(body.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    central.push(ch, name);
    offset += 30 + name.length + body.length;
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
  it('extracts a tar.gz made by tar (nested dirs, long names)', { skip: hasCommand('tar') ? false : 'no tar' }, async (t) => {
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

  it('extracts a deflated zip made by zip', { skip: hasCommand('zip') ? false : 'no zip' }, async (t) => {
    const dir = createTempDir(t);
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'install.sh'), 'echo zip\n');
    writeFileSync(join(src, 'sub', 'big.txt'), 'y'.repeat(300_000));
    execFileSync('zip', ['-qr', join(dir, 'a.zip'), '.'], { cwd: src });
    const out = join(dir, 'out');
    mkdirSync(out);
    await extractArchive(join(dir, 'a.zip'), out);
    assert.equal(readFileSync(join(out, 'install.sh'), 'utf8'), 'echo zip\n');
    assert.equal(readFileSync(join(out, 'sub', 'big.txt'), 'utf8'), 'y'.repeat(300_000));
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
    ['zip symlink entry', () => makeZip([{ name: 'l', body: '/etc/passwd', mode: 0o120777 }])],
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

  it('stops a bomb at maxBytes', async (t) => {
    const dir = createTempDir(t);
    writeFileSync(join(dir, 'b.tgz'), gzipSync(makeTar([{ name: 'z', body: '\0'.repeat(2_000_000) }])));
    const out = join(dir, 'out');
    mkdirSync(out);
    await assert.rejects(extractArchive(join(dir, 'b.tgz'), out, { maxBytes: 1_000_000, maxEntries: 10 }), (e) => code(e) === SoftwareUpdateErrorCodes.ARCHIVE_INVALID);
  });
});
