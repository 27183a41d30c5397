// Go-style durations ("2s", "1m30s", "500ms", "1h"): what Kanto's Go apps read with time.ParseDuration
// (container and system Metrics frequency, stop timeouts), so the same strings mean the same here.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string, or undefined when it is not one ("10 seconds", "", "5"). */
export function parseGoDuration(v: string): number | undefined {
  const s = v.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== s.length) return undefined;
  return total;
}
