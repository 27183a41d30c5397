// The one I/O collaborator of the reader: list a directory, read the head of a file. Tests swap it to
// count reads or to fail one file with EACCES (which root, who runs CI, cannot get from chmod).
import { open, readdir } from 'node:fs/promises';

export interface ProcFs {
  /** The entry names of a directory. */
  readdir(path: string): Promise<string[]>;
  /** The first `maxBytes` bytes of a file, or all of it when shorter. */
  readHead(path: string, maxBytes: number): Promise<Buffer>;
}

// procfs reports size 0 for its files, so a file is read in chunks until EOF; most are under 4 KiB (one
// read plus the empty one), and only a huge file needs the larger chunks.
const FIRST_CHUNK = 4096;
const LARGEST_CHUNK = 64 * 1024;

export const nodeProcFs: ProcFs = Object.freeze({
  readdir: (path: string) => readdir(path),
  async readHead(path: string, maxBytes: number): Promise<Buffer> {
    const fh = await open(path, 'r');
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      let size = FIRST_CHUNK;
      while (total < maxBytes) {
        const buf = Buffer.allocUnsafe(Math.min(size, maxBytes - total));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        size = Math.min(size * 2, LARGEST_CHUNK);
      }
      return Buffer.concat(chunks, total);
    } finally {
      await fh.close();
    }
  },
});
