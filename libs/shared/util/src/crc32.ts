// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven. node:zlib.crc32 exists only from
// Node 22.2 and Ledge must run on Node 20.19, so Ledge carries its own (the journal's records, zip entries).

const TABLE = makeTable();

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
  let c = ~previous;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
