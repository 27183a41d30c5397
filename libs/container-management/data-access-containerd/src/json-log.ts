// docker-compatible json-file logs: one JSON object per line {log, stream, time}, rotated by size into
// <file>.1 .. <file>.<maxFiles-1>. The writer is fed from the task's stdout/stderr FIFOs; the reader
// serves tail and follow over the rotated set.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { LogLine } from '@ledge/container-management/model-containers';

export interface JsonLogOptions {
  file: string;
  maxSizeBytes: number;
  maxFiles: number;
}

// Milliseconds from the wall clock (it may be stepped by NTP, e.g. on a Pi without an RTC, and the logs
// must follow), sub-millisecond digits from hrtime, raised where needed so that the stamps of lines
// written within one millisecond never go backwards (hrtime's digits on their own are not aligned to it).
let lastMs = -1;
let lastSub = -1n;

/** RFC 3339 with nanoseconds (docker's json-file format). */
export function logTime(): string {
  const ms = Date.now();
  let sub = process.hrtime.bigint() % 1_000_000n;
  if (ms === lastMs && sub <= lastSub) sub = lastSub < 999_999n ? lastSub + 1n : lastSub;
  lastMs = ms;
  lastSub = sub;
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, `.$1${String(sub).padStart(6, '0')}Z`);
}

export class JsonLogWriter {
  private fd: number;
  private size: number;
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(private readonly options: JsonLogOptions) {
    this.fd = openSync(options.file, 'a');
    this.size = fstatSync(this.fd).size;
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let text = this.partial[stream] + chunk.toString('utf8');
    let i: number;
    while ((i = text.indexOf('\n')) >= 0) {
      this.line(stream, text.slice(0, i + 1));
      text = text.slice(i + 1);
    }
    // Very long lines are split like docker does (16 KiB).
    while (text.length >= 16384) {
      this.line(stream, text.slice(0, 16384));
      text = text.slice(16384);
    }
    this.partial[stream] = text;
  }

  flush(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.partial[s]) this.line(s, this.partial[s]);
      this.partial[s] = '';
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private line(stream: 'stdout' | 'stderr', log: string): void {
    const buf = Buffer.from(`${JSON.stringify({ log, stream, time: logTime() })}\n`);
    if (this.size > 0 && this.size + buf.length > this.options.maxSizeBytes) this.rotate();
    writeSync(this.fd, buf);
    this.size += buf.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    const { file, maxFiles } = this.options;
    if (maxFiles <= 1) rmSync(file, { force: true });
    else {
      rmSync(`${file}.${maxFiles - 1}`, { force: true });
      for (let n = maxFiles - 2; n >= 1; n--) if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
      renameSync(file, `${file}.1`);
    }
    this.fd = openSync(file, 'a');
    this.size = 0;
  }
}

function parse(line: string): LogLine | undefined {
  if (!line) return undefined;
  try {
    const j = JSON.parse(line) as Partial<LogLine>;
    if (typeof j.log !== 'string' || (j.stream !== 'stdout' && j.stream !== 'stderr') || typeof j.time !== 'string') return undefined;
    return { log: j.log, stream: j.stream, time: j.time };
  } catch {
    // A torn line (daemon killed mid-write) is skipped, not fatal.
    return undefined;
  }
}

/** Lines of the rotated set, oldest first; the last `tail` when tail ≥ 0. */
export function readLogLines(file: string, maxFiles: number, tail?: number): LogLine[] {
  const files: string[] = [];
  for (let n = Math.max(1, maxFiles) - 1; n >= 1; n--) if (existsSync(`${file}.${n}`)) files.push(`${file}.${n}`);
  if (existsSync(file)) files.push(file);
  const lines: LogLine[] = [];
  for (const f of files) for (const l of readFileSync(f, 'utf8').split('\n')) {
    const p = parse(l);
    if (p) lines.push(p);
  }
  return tail === undefined || tail < 0 ? lines : tail === 0 ? [] : lines.slice(-tail);
}

/** The bytes of `path` from `from` to its current end (empty if it is gone), and where they end. */
function readFrom(path: string, from: number): { text: string; end: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', end: from };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= from) return { text: '', end: from };
    const buf = Buffer.alloc(size - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    return { text: buf.toString('utf8', 0, n), end: from + n };
  } finally {
    closeSync(fd);
  }
}

/** After a rotation: the rotated files from the one that was being followed (inode `ino`) to `<file>.1`. */
function rotatedSince(file: string, ino: number): string[] {
  const newer: string[] = [];
  for (let n = 1; existsSync(`${file}.${n}`); n++) {
    newer.unshift(`${file}.${n}`);
    if (statSync(`${file}.${n}`).ino === ino) return newer;
  }
  return []; // rotated out already (or maxFiles 1): those lines are gone
}

/**
 * Follows the current file from its end until the signal aborts. After a rotation it first reads the
 * rest of the file it was following (now `<file>.<n>`) and any file rotated after it, then the new file
 * from its start, so lines written just before a rotation are not skipped.
 */
export async function* followLog(file: string, signal: AbortSignal | undefined, pollMs = 200): AsyncGenerator<LogLine> {
  let ino = existsSync(file) ? statSync(file).ino : -1;
  let offset = existsSync(file) ? statSync(file).size : 0;
  let rest = '';
  function* lines(text: string): Generator<LogLine> {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) {
      const p = parse(l);
      if (p) yield p;
    }
  }
  while (!signal?.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
    if (signal?.aborted || !existsSync(file)) continue;
    const st = statSync(file);
    if (st.ino !== ino) {
      const rotated = ino === -1 ? [] : rotatedSince(file, ino);
      for (const [i, path] of rotated.entries()) yield* lines(readFrom(path, i === 0 ? offset : 0).text);
      ino = st.ino;
      offset = 0;
      rest = '';
    }
    const { text, end } = readFrom(file, offset);
    offset = end;
    if (text) yield* lines(text);
  }
}
