import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from './crc32';

describe('crc32', () => {
  it('matches the IEEE check value and chains across buffers', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
    const a = Buffer.from('hello ');
    const b = Buffer.from('world');
    assert.equal(crc32(b, 0, b.length, crc32(a)), crc32(Buffer.concat([a, b])));
  });

  it('gives the same value through zlib (64 bytes and more) as through the table, at any offset', () => {
    // bitwise reference, independent of both paths
    const reference = (d: Uint8Array) => {
      let c = 0xffffffff;
      for (const byte of d) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return ~c >>> 0;
    };
    const data = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 31 + 7) & 0xff));
    for (const n of [0, 1, 63, 64, 65, 200, 1100, 1500]) {
      for (const start of [0, 3]) {
        const end = Math.min(data.length, start + n);
        const want = reference(data.subarray(start, end));
        assert.equal(crc32(data, start, end), want, `${n} bytes at ${start}`);
        // chained: a short head (table) continued by a long tail (zlib), and the reverse
        const mid = start + Math.min(5, end - start);
        assert.equal(crc32(data, mid, end, crc32(data, start, mid)), want, `${n} bytes at ${start}, chained`);
      }
    }
  });
});
