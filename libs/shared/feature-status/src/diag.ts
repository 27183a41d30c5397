// `ledge diag` (issue 21): one tar.gz a support engineer can read without the gateway: versions, the
// status (`ledge status --json`), every app's merged config with secrets redacted, the recent journal of
// the Ledge units. Secrets never go in: redacted by key in the configs, and every secret value the configs
// hold (passwords, password files' contents, keys, tokens, connection strings) is blanked wherever it
// appears, logs included.
import { REDACTED_KEYS } from '@ledge/shared/util';
import { tarGz, type TarFile } from '@ledge/shared/util';

export const SCRUBBED = '[redacted]';

/**
 * Shorter values are not blanked in free text (a 5-letter password would blank every word that holds it);
 * by key they are redacted whatever their length, and pino redacts them in the apps' own log lines.
 */
export const MIN_SCRUBBED_LENGTH = 8;

/** Every string under a key that names a secret (REDACTED_KEYS), at any depth. */
export function secretValues(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) secretValues(v, found);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (REDACTED_KEYS.includes(k) && typeof v === 'string' && v !== '') found.add(v);
      else secretValues(v, found);
    }
  }
  return found;
}

/** `text` with every occurrence of each secret replaced (longest first, so a secret inside another goes too). */
export function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= MIN_SCRUBBED_LENGTH).sort((a, b) => b.length - a.length)) out = out.split(s).join(SCRUBBED);
  return out;
}

export interface DiagSources {
  readonly versions: Readonly<Record<string, string>>;
  /** `ledge status --json`'s object. */
  readonly status: () => Promise<unknown>;
  /** Each app's merged config, redacted by key; `secrets`: the values that were redacted (and password files' contents). */
  readonly configs: () => Promise<{ configs: Readonly<Record<string, unknown>>; secrets: ReadonlySet<string> }>;
  /** The recent journal of the Ledge units, or why there is none. */
  readonly journal: () => Promise<string>;
  readonly now: () => number;
}

export async function buildDiagBundle(src: DiagSources): Promise<{ archive: Buffer; files: string[] }> {
  const [status, { configs, secrets }, journal] = await Promise.all([
    src.status().catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) })),
    src.configs(),
    src.journal().catch((err: unknown) => `journal not available: ${err instanceof Error ? err.message : String(err)}\n`),
  ]);
  const json = (v: unknown) => Buffer.from(`${scrub(JSON.stringify(v, null, 2), secrets)}\n`, 'utf8');
  const files: TarFile[] = [
    { name: 'ledge-diag/versions.json', content: json(src.versions) },
    { name: 'ledge-diag/status.json', content: json(status) },
    ...Object.entries(configs).map(([app, c]) => ({ name: `ledge-diag/config/${app}.json`, content: json(c) })),
    { name: 'ledge-diag/journal.log', content: Buffer.from(scrub(journal, secrets), 'utf8') },
  ];
  return { archive: tarGz(files, src.now()), files: files.map((f) => f.name) };
}
