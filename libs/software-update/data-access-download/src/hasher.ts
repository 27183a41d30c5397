// Checksums computed while a download streams. SHA-256 costs about as much CPU as receiving the bytes, so
// by default it runs on a worker thread: the event loop receives and writes while another core hashes.
// Chunks are posted only after they reached the file (file and digest always agree) and at most
// `maxPendingBytes` wait in the worker, so memory stays bounded when hashing is the slower side.
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export type HashAlgorithmName = 'sha256' | 'sha1' | 'md5';

export interface Hasher {
  /** Resolves when the hasher can take more (immediately for inline hashing). */
  update(chunks: readonly Buffer[]): Promise<void>;
  digest(): Promise<string>;
  close(): Promise<void>;
}

export function createInlineHasher(algorithm: HashAlgorithmName): Hasher {
  const h: Hash = createHash(algorithm);
  return {
    async update(chunks) {
      for (const c of chunks) h.update(c);
    },
    async digest() {
      return h.digest('hex');
    },
    async close() {},
  };
}

// CommonJS source evaluated in the worker: works the same from tsx and from the bundled app.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const h = createHash(workerData.algorithm);
parentPort.on('message', (m) => {
  if (m.t === 'data') {
    h.update(m.b);
    parentPort.postMessage({ t: 'ack', n: m.b.byteLength });
  } else if (m.t === 'end') {
    parentPort.postMessage({ t: 'digest', d: h.digest('hex') });
  }
});`;

export function createWorkerHasher(algorithm: HashAlgorithmName, maxPendingBytes = 16 * 1024 * 1024): Hasher {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm } });
  worker.unref();
  let pending = 0;
  let failure: Error | undefined;
  let drained: (() => void) | undefined;
  let digested: ((d: string) => void) | undefined;
  worker.on('message', (m: { t: string; n?: number; d?: string }) => {
    if (m.t === 'ack') {
      pending -= m.n!;
      if (pending <= maxPendingBytes / 2 && drained) {
        const d = drained;
        drained = undefined;
        d();
      }
    } else if (m.t === 'digest') digested?.(m.d!);
  });
  const fail = (err: Error) => {
    failure = err;
    drained?.();
    digested?.('');
  };
  worker.on('error', fail);
  worker.on('exit', (code) => failure ?? fail(new Error(`hash worker exited with ${code}`)));
  return {
    async update(chunks) {
      if (failure) throw failure;
      const n = chunks.reduce((s, c) => s + c.length, 0);
      if (n === 0) return;
      // A fresh, exactly sized buffer that can be transferred (no second copy, no pooled memory shared).
      const copy = new Uint8Array(n);
      let at = 0;
      for (const c of chunks) {
        copy.set(c, at);
        at += c.length;
      }
      pending += n;
      worker.postMessage({ t: 'data', b: copy }, [copy.buffer]);
      if (pending > maxPendingBytes) await new Promise<void>((r) => (drained = r));
      if (failure) throw failure;
    },
    async digest() {
      if (failure) throw failure;
      const d = await new Promise<string>((r) => {
        digested = r;
        worker.postMessage({ t: 'end' });
      });
      if (failure) throw failure;
      return d;
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
