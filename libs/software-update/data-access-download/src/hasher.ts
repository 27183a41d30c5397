// Checksums computed while a download streams. SHA-256 costs more CPU than receiving and writing the
// bytes together would leave room for on one thread, so by default it runs on a worker thread: the event
// loop receives and writes while another core hashes. The worker gets each batch only after it reached
// the file (file and digest always agree), and gets it without a copy: a chunk that owns its whole
// ArrayBuffer (every socket read does) is transferred, only the rest is copied. At most
// `maxPendingBytes` per hasher wait in the worker, so memory stays bounded when hashing is the slower
// side. The thread serves every hasher of a downloader and ends a few seconds after the last one.
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export type HashAlgorithmName = 'sha256' | 'sha1' | 'md5';

export interface Hasher {
  /**
   * True when `update` takes the chunks over: their memory may move to another thread (the Buffers are
   * empty afterwards), so call it only once nothing else reads them, e.g. after they were written.
   */
  readonly takesChunks: boolean;
  /** Resolves when the hasher can take more (immediately for inline hashing). */
  update(chunks: readonly Buffer[]): Promise<void>;
  digest(): Promise<string>;
  close(): Promise<void>;
}

export function createInlineHasher(algorithm: HashAlgorithmName): Hasher {
  const h: Hash = createHash(algorithm);
  return {
    takesChunks: false,
    async update(chunks) {
      for (const c of chunks) h.update(c);
    },
    async digest() {
      return h.digest('hex');
    },
    async close() {},
  };
}

/** How much nicer than the process the hash thread runs (Linux, where a thread has its own nice value). */
export const HASH_THREAD_NICENESS = 10;

// CommonJS source evaluated in the worker: works the same from tsx and from the bundled app. One hash
// per hasher id, so downloads running at the same time share the thread. On Linux the thread lowers its
// own priority first: hashing has a buffer (maxPendingBytes) and is on no one's critical path, while
// receiving and writing hold back the sender when they fall behind. On a busy 2-core gateway the
// scheduler then gives the receive path the CPU and the hash the rest (docs/performance.md: +3% median
// and a much better worst case); the workloads of the gateway also go before a background update.
// Elsewhere setpriority takes a process id, so it is left alone.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
if (process.platform === 'linux') {
  try {
    const os = require('node:os');
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + ${HASH_THREAD_NICENESS}));
  } catch {}
}
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.t === 'data') {
    let h = hashes.get(m.id);
    if (h === undefined) hashes.set(m.id, (h = createHash(m.a)));
    for (const b of m.b) h.update(b);
    parentPort.postMessage({ t: 'ack', id: m.id, n: m.n });
  } else if (m.t === 'end') {
    const h = hashes.get(m.id) ?? createHash(m.a);
    hashes.delete(m.id);
    parentPort.postMessage({ t: 'digest', id: m.id, d: h.digest('hex') });
  } else if (m.t === 'drop') hashes.delete(m.id);
});`;

export interface HashWorkerOptions {
  /** Bytes a hasher may have waiting in the worker before `update` waits. */
  readonly maxPendingBytes?: number;
  /** The thread ends this long after its last hasher closed (starting one costs ~0.1 s of CPU). */
  readonly idleMs?: number;
}

/** A worker thread that computes digests for any number of hashers; started on demand, ended when idle. */
export interface HashWorker {
  hasher(algorithm: HashAlgorithmName): Hasher;
  close(): Promise<void>;
}

const HANDOVER_BYTES = 1024 * 1024;

interface Session {
  pending: number;
  failure?: Error;
  drained?: () => void;
  digested?: (d: string) => void;
}

export function createHashWorker(options: HashWorkerOptions = {}): HashWorker {
  const maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
  const idleMs = options.idleMs ?? 5_000;
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;
  const sessions = new Map<number, Session>();

  function start(): Worker {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (worker) return worker;
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (m: { t: string; id: number; n?: number; d?: string }) => {
      const s = sessions.get(m.id);
      if (s === undefined) return;
      if (m.t === 'ack') {
        s.pending -= m.n!;
        if (s.pending <= maxPendingBytes / 2 && s.drained) {
          const d = s.drained;
          s.drained = undefined;
          d();
        }
      } else if (m.t === 'digest') s.digested?.(m.d!);
    });
    // The thread is gone: every open hasher fails; the next hasher starts a new thread.
    const lost = (err: Error) => {
      if (worker !== w) return;
      worker = undefined;
      for (const s of sessions.values()) {
        s.failure ??= err;
        s.drained?.();
        s.digested?.('');
      }
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`hash worker exited with ${code}`)));
    worker = w;
    return w;
  }

  function release(id: number): void {
    sessions.delete(id);
    if (sessions.size > 0 || worker === undefined || idleTimer !== undefined) return;
    const w = worker;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (sessions.size === 0 && worker === w) {
        worker = undefined;
        void w.terminate();
      }
    }, idleMs);
    idleTimer.unref();
  }

  return {
    hasher(algorithm) {
      const w = start();
      const id = nextId++;
      const s: Session = { pending: 0 };
      sessions.set(id, s);
      let closed = false;
      // Small batches (a download at link speed writes one per socket burst) are held and sent
      // together: one message per HANDOVER_BYTES instead of one per batch.
      let held: Buffer[] = [];
      let heldBytes = 0;
      const send = () => {
        if (heldBytes === 0) return;
        const { parts, transfer } = handOver(held);
        s.pending += heldBytes;
        w.postMessage({ t: 'data', id, a: algorithm, b: parts, n: heldBytes }, transfer);
        held = [];
        heldBytes = 0;
      };
      return {
        takesChunks: true,
        async update(chunks) {
          if (s.failure) throw s.failure;
          for (const c of chunks) {
            if (c.length === 0) continue;
            held.push(c);
            heldBytes += c.length;
          }
          if (heldBytes < HANDOVER_BYTES) return;
          send();
          if (s.pending > maxPendingBytes) await new Promise<void>((r) => (s.drained = r));
          if (s.failure) throw s.failure;
        },
        async digest() {
          if (s.failure) throw s.failure;
          send();
          const d = await new Promise<string>((r) => {
            s.digested = r;
            w.postMessage({ t: 'end', id, a: algorithm });
          });
          if (s.failure) throw s.failure;
          return d;
        },
        async close() {
          if (closed) return;
          closed = true;
          if (worker === w) w.postMessage({ t: 'drop', id });
          release(id);
        },
      };
    },
    async close() {
      clearTimeout(idleTimer);
      idleTimer = undefined;
      const w = worker;
      worker = undefined;
      for (const s of sessions.values()) {
        s.failure ??= new Error('hash worker closed');
        s.drained?.();
        s.digested?.('');
      }
      sessions.clear();
      if (w) await w.terminate();
    },
  };
}

/**
 * The chunks as the worker gets them, in order: a chunk that is the only view of its whole ArrayBuffer
 * moves to the worker as it is (transferred, no copy); runs of the others (slices of a larger buffer, e.g.
 * the first body bytes behind the HTTP headers) are copied into one exactly sized buffer that moves.
 */
function handOver(chunks: readonly Buffer[]): { parts: Uint8Array[]; transfer: ArrayBuffer[] } {
  const parts: Uint8Array[] = [];
  const transfer: ArrayBuffer[] = [];
  let run: Buffer[] = [];
  const copyRun = () => {
    if (run.length === 0) return;
    const copy = new Uint8Array(run.reduce((s, c) => s + c.length, 0));
    let at = 0;
    for (const c of run) {
      copy.set(c, at);
      at += c.length;
    }
    parts.push(copy);
    transfer.push(copy.buffer);
    run = [];
  };
  const seen = new Set<ArrayBufferLike>();
  for (const c of chunks) {
    const ab = c.buffer;
    // A SharedArrayBuffer cannot move; Node's Buffer pool slabs are marked untransferable but no chunk
    // covers a whole slab (pooled allocations are < 4 KiB of an 8 KiB slab), so the check below keeps them out.
    if (ab instanceof ArrayBuffer && c.length > 0 && c.byteOffset === 0 && c.byteLength === ab.byteLength && !seen.has(ab)) {
      copyRun();
      seen.add(ab);
      parts.push(c);
      transfer.push(ab);
    } else run.push(c);
  }
  copyRun();
  return { parts, transfer };
}
