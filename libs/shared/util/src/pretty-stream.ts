// A small human formatter for pino's JSON lines, used only when stdout is a terminal. Written here
// rather than pulling pino-pretty (and its worker-thread transport) into every bundle.
import { Writable } from 'node:stream';

const COLORS: Record<string, string> = {
  fatal: '\x1b[41m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'name', 'hostname', 'app', 'component']);

export function formatLine(line: string, color = true): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = String(rec['level'] ?? 'info');
  const time = typeof rec['time'] === 'string' ? rec['time'].slice(11, 23) : '';
  const who = [rec['app'] ?? rec['name'], rec['component']].filter((x) => typeof x === 'string').join('/');
  const extra = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object') {
        const e = v as Record<string, unknown>;
        return `err=${String(e['message'] ?? '')}${e['code'] ? ` (${String(e['code'])})` : ''}`;
      }
      return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    })
    .join(' ');
  const lv = level.toUpperCase().padEnd(5);
  const head = color ? `${DIM}${time}${RESET} ${COLORS[level] ?? ''}${lv}${RESET} ${who}:` : `${time} ${lv} ${who}:`;
  return `${head} ${String(rec['msg'] ?? '')}${extra ? (color ? ` ${DIM}${extra}${RESET}` : ` ${extra}`) : ''}`;
}

export function createPrettyStream(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      pending += chunk.toString();
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        out.write(`${formatLine(pending.slice(0, i))}\n`);
        pending = pending.slice(i + 1);
      }
      cb();
    },
  });
}
