// The stream aedes reads from: the client's socket (TCP, TLS or WebSocket) seen through the frame
// inspector. Refused packets never reach aedes; the guard answers a refused CONNECT with the CONNACK the
// spec asks for, half-closes, and lingers briefly reading (and discarding) what the client still sends, so
// the client reads the CONNACK instead of a connection reset. Writes pass straight through.
import { withDefaults } from '@ledge/shared/util';
import { Duplex } from 'node:stream';
import type { Verdict } from './packet-rules';
import { createFrameInspector } from './frame-inspector';

export type Refusal = Exclude<Verdict, { kind: 'ok' }>;

export interface ConnectionGuardOptions {
  maxPacketSize: number;
  /** Called once when a packet is refused, before the connection is shut. */
  onRefused(refusal: Refusal): void;
  /** How long a refused connection may linger for its last bytes to reach the client. */
  lingerMs?: number;
}

export const defaultConnectionGuardOptions: Readonly<{ lingerMs: number }> = Object.freeze({ lingerMs: 1000 });

/** CONNACK in MQTT 3.1.1 form: session present 0, the return code. */
export function connackBytes(returnCode: number): Buffer {
  return Buffer.from([0x20, 0x02, 0x00, returnCode]);
}

export class ConnectionGuard extends Duplex {
  readonly #source: Duplex;
  readonly #options: ConnectionGuardOptions & typeof defaultConnectionGuardOptions;
  readonly #inspector;
  #shutting = false;
  #batching = false;

  constructor(source: Duplex, options: ConnectionGuardOptions) {
    super({ allowHalfOpen: false });
    this.#source = source;
    this.#options = withDefaults(defaultConnectionGuardOptions, options);
    this.#inspector = createFrameInspector({ maxPacketSize: options.maxPacketSize });
    source.on('data', (chunk: Buffer) => this.#onData(chunk));
    source.on('end', () => {
      if (!this.#shutting) this.push(null);
    });
    source.on('error', (err: Error) => {
      if (this.#shutting) return; // a reset while lingering after a refusal is expected
      this.destroy(err);
    });
    source.on('close', () => {
      this.emit('sourceDrain'); // release a write waiting for a drain that will never come
      if (!this.destroyed) this.destroy();
    });
    source.on('drain', () => {
      this.emit('sourceDrain');
      this.emit('drain'); // writes bypass this Writable's buffer (see write()), so relay the socket's drain
    });
  }

  // Hot path: every delivered message is written here. Hand writes straight to the socket instead of
  // through a second Writable buffer (one less queue, callback and setImmediate per packet); cork/uncork
  // too, so mqtt-packet's corked multi-piece writes reach the socket as one segment.
  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const done = (typeof encoding === 'function' ? encoding : callback) as ((err?: Error | null) => void) | undefined;
    if (this.#shutting || this.#source.destroyed) {
      if (done) process.nextTick(done);
      return true;
    }
    if (!this.#batching) {
      // Coalesce what aedes writes to this client within one event-loop turn into one writev: aedes
      // delivers each message from its own setImmediate, so without this every packet is a syscall
      // (42 % of broker CPU under fan-out load). Adds at most one loop turn of latency.
      this.#batching = true;
      this.#source.cork();
      setImmediate(this.#flush);
    }
    return typeof encoding === 'string' ? this.#source.write(chunk, encoding as BufferEncoding, done) : this.#source.write(chunk, done);
  }

  readonly #flush = (): void => {
    this.#batching = false;
    this.#source.uncork();
  };

  override cork(): void {
    this.#source.cork();
  }

  override uncork(): void {
    this.#source.uncork();
  }

  /** The wrapped socket or WebSocket stream. */
  get source(): Duplex {
    return this.#source;
  }

  #onData(chunk: Buffer): void {
    if (this.#shutting) return; // discarding while lingering
    const { forward, verdict } = this.#inspector.push(chunk);
    if (forward && !this.push(forward)) this.#source.pause();
    if (verdict) this.#refuse(verdict);
  }

  #refuse(refusal: Refusal): void {
    this.#shutting = true;
    this.#options.onRefused(refusal);
    const source = this.#source;
    source.resume(); // keep reading (and dropping) so the peer's last writes do not turn into a reset
    if (refusal.kind === 'connack') source.end(connackBytes(refusal.returnCode));
    else source.end();
    const timer = setTimeout(() => source.destroy(), this.#options.lingerMs);
    timer.unref();
    source.once('close', () => clearTimeout(timer));
    // aedes sees a plain end of input: it drops the half-made client without publishing anything
    this.push(null);
  }

  override _read(): void {
    if (!this.#shutting) this.#source.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#shutting || this.#source.destroyed) {
      callback();
      return;
    }
    if (this.#source.write(chunk)) callback();
    else this.once('sourceDrain', () => callback());
  }

  // mqtt-packet corks the stream and writes a packet in pieces: hand them on as one buffer (one segment)
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#shutting) this.#source.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // after a refusal the linger timer (or the peer) closes the source
    if (!this.#shutting) this.#source.destroy();
    callback(err);
  }
}
