// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): node:zlib.crc32 (zlib's, Node 20.15 and 22.2 on)
// for 64 bytes and more, a table-driven loop for shorter input, where the call into C++ and the view it
// needs cost more than the loop (the journal's records, zip entries). Measured on the 2-core bench
// machine: 12 bytes ~50 ns in JS, ~360 ns through zlib; 1,100 bytes 1.5-6 us in JS, under 1 us through zlib.
import * as zlib from 'node:zlib';

const TABLE = makeTable();
const NATIVE_MIN_BYTES = 64;
// Node >= 20.19 (package.json engines) always has it; kept optional for other runtimes of the libs.
const native: ((data: Uint8Array, value?: number) => number) | undefined = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of `data[start, end)`, continuing from `previous` (the CRC of the bytes before), so a
 * checksum can span several buffers: crc32(b, 0, b.length, crc32(a)) === crc32(concat(a, b)).
 */
export function crc32(data: Uint8Array, start = 0, end = data.length, previous = 0): number {
  if (native !== undefined && end - start >= NATIVE_MIN_BYTES) return native(start === 0 && end === data.length ? data : data.subarray(start, end), previous >>> 0);
  let c = ~previous;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
