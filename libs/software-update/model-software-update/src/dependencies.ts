// Installed dependencies (§5.4): `*.prs` files of `key=value` lines left by install scripts; each becomes
// an entry of the `installedDependencies` property, keyed "0", "1", … in file-name order.

export interface Dependency {
  readonly group: string;
  readonly name: string;
  readonly version: string;
  readonly type?: string;
}

export type DependencyParseResult = { readonly ok: true; readonly dependency: Dependency } | { readonly ok: false; readonly problem: string };

/** Parses `key=value` lines (LF or CRLF; blank and `#` lines skipped; later keys win). */
export function parseKeyValueLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** group, name and version are mandatory; type is optional. */
export function parsePrs(text: string): DependencyParseResult {
  const kv = parseKeyValueLines(text);
  const missing = ['group', 'name', 'version'].filter((k) => !kv[k]);
  if (missing.length > 0) return { ok: false, problem: `missing ${missing.join(', ')}` };
  return { ok: true, dependency: { group: kv['group']!, name: kv['name']!, version: kv['version']!, ...(kv['type'] ? { type: kv['type'] } : {}) } };
}

/** Sorted by key, then keyed "0", "1", … as Kanto publishes them. */
export function buildInstalledDependencies(deps: readonly Dependency[]): Record<string, Dependency> {
  const sorted = [...deps].sort((a, b) => depKey(a).localeCompare(depKey(b)));
  return Object.fromEntries(sorted.map((d, i) => [String(i), d]));
}

function depKey(d: Dependency): string {
  return `${d.group}:${d.name}:${d.version}`;
}

/** The install script's `status` file (§5.4): progress 0..100, message, statusCode. */
export interface ScriptStatus {
  readonly progress?: number;
  readonly message?: string;
  readonly statusCode?: string;
}

export function parseScriptStatus(text: string): ScriptStatus {
  const kv = parseKeyValueLines(text);
  const out: { progress?: number; message?: string; statusCode?: string } = {};
  if (kv['progress'] !== undefined && /^\d{1,3}$/.test(kv['progress'])) out.progress = Math.min(100, Number(kv['progress']));
  if (kv['message'] !== undefined) out.message = kv['message'].slice(0, 1024);
  if (kv['statusCode'] !== undefined) out.statusCode = kv['statusCode'].slice(0, 64);
  return out;
}

export function sameScriptStatus(a: ScriptStatus, b: ScriptStatus): boolean {
  return a.progress === b.progress && a.message === b.message && a.statusCode === b.statusCode;
}
