// An in-memory UploadProvider: the reference the contract suite is checked against, and a test double
// for the feature (option `memory.key` names the object).
import { providerOptionError } from '../errors';
import type { UploadOptions } from '../operations';
import type { UploadJob, UploadProvider, UploadSource } from '../provider';

export interface MemoryProvider extends UploadProvider {
  readonly objects: Map<string, Buffer>;
}

export function createMemoryProvider(name = 'generic'): MemoryProvider {
  const objects = new Map<string, Buffer>();
  return {
    name,
    objects,
    validate(options: UploadOptions) {
      if (!options['memory.key']) throw providerOptionError('memory.key', 'is required');
    },
    async upload(job: UploadJob) {
      this.validate(job.options);
      const chunks: Buffer[] = [];
      let sent = 0;
      for await (const c of job.source.stream(0, job.source.size)) {
        if (job.signal.aborted) throw job.signal.reason;
        chunks.push(Buffer.from(c));
        sent += c.length;
        job.onProgress(sent);
        await new Promise((r) => setImmediate(r));
      }
      objects.set(job.options['memory.key']!, Buffer.concat(chunks));
    },
  };
}

/** A source over a buffer, yielding `chunk`-byte pieces. */
export function bufferSource(data: Buffer, path = '/mem/file.bin', chunk = 64 * 1024): UploadSource {
  return {
    path,
    size: data.length,
    async *stream(start: number, end: number) {
      for (let i = start; i < end; i += chunk) yield data.subarray(i, Math.min(end, i + chunk));
    },
  };
}
