// The request body every provider sends: bytes [start, end) of an upload source as a Node readable
// that reports each chunk as the HTTP client consumes it (progress), one place for all providers.
import { Readable } from 'node:stream';
import type { UploadSource } from './provider';

export function countingStream(source: UploadSource, start: number, end: number, onBytes: (n: number) => void): Readable {
  const it = source.stream(start, end)[Symbol.asyncIterator]();
  return new Readable({
    highWaterMark: 1024 * 1024,
    async read() {
      try {
        const r = await it.next();
        if (r.done) this.push(null);
        else {
          onBytes(r.value.length);
          this.push(r.value);
        }
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
