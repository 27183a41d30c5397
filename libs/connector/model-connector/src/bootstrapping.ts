// Kanto's suite-bootstrapping contract: the `Bootstrapping` feature the device writes with its bootstrap
// identity, its outbox `request` messages (the pre-bootstrap file in base64 chunks, the SHA-256 of the
// whole file on the last), and the inbox `response` messages (chunks of the post-bootstrap file, its hash,
// the new provisioning, or an error). Pure: building and checking values.
import { createHash } from 'node:crypto';

export const BOOTSTRAPPING_FEATURE_ID = 'Bootstrapping';
export const BOOTSTRAPPING_DEFINITION = Object.freeze(['com.bosch.iot.suite:Bootstrapping:1.0.0']);
export const BOOTSTRAPPING_REQUEST = 'request';
export const BOOTSTRAPPING_RESPONSE = 'response';
/** Kanto's chunk size: 45 KiB of file per request message (base64 makes it ~60 KiB on the wire). */
export const DEFAULT_CHUNK_BYTES = 45 * 1024;

export interface BootstrapRequestValue {
  readonly requestId: string;
  readonly chunk?: string;
  readonly hash?: string;
}

/**
 * The request messages for `file` (undefined or empty: one message with the request ID only): base64
 * chunks of `chunkBytes`, the last one carrying the hex SHA-256 of the whole file.
 */
export function buildBootstrapRequests(requestId: string, file: Buffer | undefined, chunkBytes: number): BootstrapRequestValue[] {
  if (file === undefined || file.length === 0) return [{ requestId }];
  const hash = createHash('sha256').update(file).digest('hex');
  const out: BootstrapRequestValue[] = [];
  for (let off = 0; off < file.length; off += chunkBytes) {
    const last = off + chunkBytes >= file.length;
    out.push({ requestId, chunk: file.subarray(off, off + chunkBytes).toString('base64'), ...(last ? { hash } : {}) });
  }
  return out;
}

export interface BootstrapResponseValue {
  readonly requestId: string;
  /** Decoded bytes of this chunk of the post-bootstrap file. */
  readonly chunk?: Buffer;
  /** Hex SHA-256 of the whole post-bootstrap file: the last response. */
  readonly hash?: string;
  /** The new provisioning.json text. */
  readonly provisioning?: string;
  /** > 0: the backend refused the request. */
  readonly error?: number;
}

export type ParsedBootstrapResponse = { readonly ok: true; readonly value: BootstrapResponseValue } | { readonly ok: false; readonly problem: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A `response` value (untrusted). */
export function parseBootstrapResponse(v: unknown, maxChunkBytes = 1024 * 1024): ParsedBootstrapResponse {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, problem: 'the response must be an object' };
  const o = v as Record<string, unknown>;
  if (typeof o['requestId'] !== 'string' || o['requestId'] === '') return { ok: false, problem: "'requestId' must be a non-empty string" };
  const out: { requestId: string; chunk?: Buffer; hash?: string; provisioning?: string; error?: number } = { requestId: o['requestId'] };
  if (o['error'] !== undefined && o['error'] !== null) {
    if (typeof o['error'] !== 'number' || !Number.isInteger(o['error'])) return { ok: false, problem: "'error' must be an integer" };
    out.error = o['error'];
  }
  if (o['chunk'] !== undefined && o['chunk'] !== null && o['chunk'] !== '') {
    if (typeof o['chunk'] !== 'string' || o['chunk'].length % 4 !== 0 || !BASE64.test(o['chunk'])) return { ok: false, problem: "'chunk' must be base64" };
    if ((o['chunk'].length / 4) * 3 > maxChunkBytes) return { ok: false, problem: `'chunk' is larger than ${maxChunkBytes} bytes` };
    out.chunk = Buffer.from(o['chunk'], 'base64');
  }
  if (o['hash'] !== undefined && o['hash'] !== null && o['hash'] !== '') {
    if (typeof o['hash'] !== 'string' || !/^[0-9a-fA-F]{64}$/.test(o['hash'])) return { ok: false, problem: "'hash' must be a hex SHA-256" };
    out.hash = o['hash'].toLowerCase();
  }
  if (o['provisioning'] !== undefined && o['provisioning'] !== null && o['provisioning'] !== '') {
    const p = o['provisioning'];
    // Kanto sends it as a JSON string; an object is taken as the same document.
    const text = typeof p === 'string' ? p : typeof p === 'object' ? JSON.stringify(p) : undefined;
    if (text === undefined) return { ok: false, problem: "'provisioning' must be a JSON document" };
    out.provisioning = text;
  }
  return { ok: true, value: out };
}
