// On-disk layout of journal segments and snapshots.
//
//   file   := header record*
//   header := "LDGJ" u8 version u8 kind(1 segment, 2 snapshot) u16 0          (8 bytes)
//   record := u32le length  u32le crc32(length bytes ‖ payload)  payload      (8 + length bytes)
//
// The checksum covers the length too, so a corrupted length cannot frame a "valid" record. A zero
// length is never written: zero-filled blocks, which some file systems expose after a power cut,
// therefore read as corruption instead of as an endless run of empty records.
import { crc32 } from '@ledge/shared/util';
import { unsupportedFormatError } from './errors';
import type { JournalFs } from './journal-fs';

export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 8;
export const RECORD_HEADER_BYTES = 8;
const MAGIC = 0x4a47444c; // "LDGJ" read as u32le
const READ_CHUNK_BYTES = 1024 * 1024;

export type FileKind = 'segment' | 'snapshot';
const KIND_CODE: Readonly<Record<FileKind, number>> = { segment: 1, snapshot: 2 };

export function fileHeader(kind: FileKind): Buffer {
  const b = Buffer.alloc(FILE_HEADER_BYTES);
  b.writeUInt32LE(MAGIC, 0);
  b[4] = FORMAT_VERSION;
  b[5] = KIND_CODE[kind];
  return b;
}

/** Writes header + payload of one record into `buf` at `offset` (room for 8 + payload.length bytes). */
export function writeRecord(buf: Buffer, offset: number, payload: Uint8Array): void {
  buf.writeUInt32LE(payload.length, offset);
  buf.set(payload, offset + RECORD_HEADER_BYTES);
  const start = offset + RECORD_HEADER_BYTES;
  buf.writeUInt32LE(crc32(buf, start, start + payload.length, crc32(buf, offset, offset + 4)), offset + 4);
}

/**
 * Accumulates framed records in as few buffers as possible (one, up to `chunkBytes`), copying each
 * payload, so callers may hand in views of a scratch buffer and the writer makes one write per chunk.
 */
export class FrameBuilder {
  private readonly done: Buffer[] = [];
  private cur: Buffer;
  private len = 0;
  /** Bytes added so far. */
  bytes = 0;

  constructor(private readonly chunkBytes: number, initialBytes = 2048) {
    this.cur = Buffer.allocUnsafe(initialBytes);
  }

  add(payload: Uint8Array): void {
    const need = RECORD_HEADER_BYTES + payload.length;
    if (this.len + need > this.cur.length) {
      if (this.len > 0 && this.len + need > this.chunkBytes) {
        this.done.push(this.cur.subarray(0, this.len));
        this.cur = Buffer.allocUnsafe(Math.max(need, 64 * 1024));
        this.len = 0;
      } else {
        const next = Buffer.allocUnsafe(Math.max(this.cur.length * 2, this.len + need));
        this.cur.copy(next, 0, 0, this.len);
        this.cur = next;
      }
    }
    writeRecord(this.cur, this.len, payload);
    this.len += need;
    this.bytes += need;
  }

  /** The framed bytes, in order. */
  chunks(): Buffer[] {
    return this.len > 0 ? [...this.done, this.cur.subarray(0, this.len)] : this.done;
  }
}

const pad = (no: number) => String(no).padStart(16, '0');
export const segmentName = (no: number): string => `${pad(no)}.log`;
export const snapshotName = (no: number): string => `snapshot-${pad(no)}.snap`;
export const snapshotTempName = (no: number): string => `snapshot-${pad(no)}.tmp`;

export type ParsedName = { kind: FileKind | 'temp'; no: number } | undefined;

export function parseFileName(name: string): ParsedName {
  let m = /^(\d{16})\.log$/.exec(name);
  if (m) return { kind: 'segment', no: Number(m[1]) };
  m = /^snapshot-(\d{16})\.snap$/.exec(name);
  if (m) return { kind: 'snapshot', no: Number(m[1]) };
  m = /^snapshot-(\d{16})\.tmp$/.exec(name);
  if (m) return { kind: 'temp', no: Number(m[1]) };
  return undefined;
}

export type ScanProblem = 'torn' | 'checksum' | 'zero-length' | 'oversized' | 'header';

export interface ScanResult {
  fileBytes: number;
  /** Offset just after the last good record: where a torn or corrupt tail begins. */
  validBytes: number;
  records: number;
  /** Why the scan stopped before the end of the file, if it did. */
  problem?: ScanProblem;
}

async function readFully(fs: JournalFs, fd: number, buf: Buffer, position: number): Promise<boolean> {
  let got = 0;
  while (got < buf.length) {
    const n = await fs.read(fd, got === 0 ? buf : buf.subarray(got), buf.length - got, position + got);
    if (n === 0) return false;
    got += n;
  }
  return true;
}

/**
 * Calls `onRecord` with every intact record of the file, in order, and stops at the first torn or
 * corrupt one. The payload is a view into a read buffer: copy what you keep.
 */
export async function scanFile(
  fs: JournalFs,
  path: string,
  kind: FileKind,
  maxRecordBytes: number,
  onRecord: (payload: Buffer) => void,
): Promise<ScanResult> {
  const fileBytes = await fs.size(path);
  const fd = await fs.open(path, 'r');
  try {
    let buf = Buffer.alloc(0);
    let bufStart = 0;
    // Makes buf cover [offset, offset + n); false when the file ends first.
    const cover = async (offset: number, n: number): Promise<boolean> => {
      if (offset >= bufStart && offset + n <= bufStart + buf.length) return true;
      if (offset + n > fileBytes) return false;
      const next = Buffer.allocUnsafe(Math.min(Math.max(n, READ_CHUNK_BYTES), fileBytes - offset));
      if (!(await readFully(fs, fd, next, offset))) return false;
      buf = next;
      bufStart = offset;
      return true;
    };

    if (!(await cover(0, FILE_HEADER_BYTES))) return { fileBytes, validBytes: 0, records: 0, problem: 'torn' };
    if (buf.readUInt32LE(0) !== MAGIC || buf[5] !== KIND_CODE[kind]) {
      return { fileBytes, validBytes: 0, records: 0, problem: 'header' };
    }
    if (buf[4]! > FORMAT_VERSION) throw unsupportedFormatError(path, buf[4]!, FORMAT_VERSION);

    let offset = FILE_HEADER_BYTES;
    let records = 0;
    const stop = (problem: ScanProblem): ScanResult => ({ fileBytes, validBytes: offset, records, problem });
    while (offset < fileBytes) {
      if (!(await cover(offset, RECORD_HEADER_BYTES))) return stop('torn');
      const at = offset - bufStart;
      const length = buf.readUInt32LE(at);
      const expected = buf.readUInt32LE(at + 4);
      if (length === 0) return stop('zero-length');
      if (length > maxRecordBytes) return stop('oversized');
      if (!(await cover(offset, RECORD_HEADER_BYTES + length))) return stop('torn');
      const start = offset - bufStart;
      const payloadStart = start + RECORD_HEADER_BYTES;
      const actual = crc32(buf, payloadStart, payloadStart + length, crc32(buf, start, start + 4));
      if (actual !== expected) return stop('checksum');
      onRecord(buf.subarray(payloadStart, payloadStart + length));
      records++;
      offset += RECORD_HEADER_BYTES + length;
    }
    return { fileBytes, validBytes: offset, records };
  } finally {
    await fs.close(fd);
  }
}
