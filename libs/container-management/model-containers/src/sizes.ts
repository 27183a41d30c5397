// Docker-style sizes ("200M", "1G", "512k", plain bytes) as used by Kanto's resources and log options.

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Smallest hard memory limit accepted (Kanto/docker: 3M, §4.2). */
export const MIN_MEMORY_BYTES = 3 * 1024 * 1024;

/** Bytes of a size string or number; undefined when invalid. `-1` stays -1 (unlimited). */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= -1 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(s);
  if (m === null) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The shortest exact docker-style form: 104857600 → "100M", 1536 → "1536" stays exact. */
export function formatSize(bytes: number): string {
  if (bytes < 0) return String(bytes);
  for (const [suffix, unit] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
