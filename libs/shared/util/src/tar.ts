// A gzipped ustar archive of in-memory files (`ledge diag`, the Logs feature). Plain files only, names ≤ 100 bytes.
import { gzipSync } from 'node:zlib';

export interface TarFile {
  readonly name: string;
  readonly content: Buffer;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtimeS: number): Buffer {
  const h = Buffer.alloc(512);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100 || name.startsWith('/') || name.split('/').includes('..')) throw new RangeError(`bad archive member name: ${name}`);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeS, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // the checksum counts itself as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function tarGz(files: readonly TarFile[], mtimeMs: number): Buffer {
  const parts: Buffer[] = [];
  const mtimeS = Math.floor(mtimeMs / 1000);
  for (const f of files) {
    parts.push(header(f.name, f.content.length, mtimeS), f.content);
    const pad = (512 - (f.content.length % 512)) % 512;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
