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
});
