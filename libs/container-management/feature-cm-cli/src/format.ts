// Output of `ledge cm list` (Kanto §4.3: columns ID | Name | Image | Status | Finished At | Exit Code,
// "No containers found." when empty, status capitalised), its --filter, and the pull progress bar.
import { UsageError } from './create-flags';

/** A container as GET /v1/containers returns it (the fields the CLI reads). */
export interface ApiContainer {
  id: string;
  name: string;
  imageRef: string;
  createdAt?: string;
  state: { status: string; exitCode: number; finishedAt: string; pid?: number; error?: string };
  /** Ledge: only on containers with a health check (issue 18). */
  health?: { status: string; failingStreak?: number; lastCheckAt?: string; lastOutput?: string };
}

export const NO_CONTAINERS = 'No containers found.';
export const LIST_COLUMNS = ['ID', 'Name', 'Image', 'Status', 'Finished At', 'Exit Code'] as const;

/** `RUNNING` → `Running`. */
export function capitalise(status: string): string {
  return status === '' ? status : status[0]!.toUpperCase() + status.slice(1).toLowerCase();
}

/** `Running`, or `Running (healthy)` with a health check, as docker's `Up 2 minutes (healthy)`: Kanto's columns stay. */
export function statusCell(c: ApiContainer): string {
  const status = capitalise(c.state.status);
  return c.health && c.state.status === 'RUNNING' ? `${status} (${c.health.status})` : status;
}

export function formatTable(containers: readonly ApiContainer[]): string {
  if (containers.length === 0) return `${NO_CONTAINERS}\n`;
  const rows = containers.map((c) => [c.id, c.name, c.imageRef, statusCell(c), c.state.finishedAt, String(c.state.exitCode)]);
  const widths = LIST_COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' | ').trimEnd();
  return [line(LIST_COLUMNS), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n') + '\n';
}

export type ListFilter = { key: 'status' | 'image' | 'exitcode' | 'health'; value: string };

/** `status=running`, `image=<ref>`, `exitcode=<n>` (Kanto §4.3), Ledge's `health=<starting|healthy|unhealthy|none>`; every filter must match. */
export function parseFilters(raw: readonly string[]): ListFilter[] {
  return raw.map((f) => {
    const i = f.indexOf('=');
    const key = f.slice(0, i).trim().toLowerCase();
    const value = f.slice(i + 1).trim();
    if (i < 0 || value === '' || (key !== 'status' && key !== 'image' && key !== 'exitcode' && key !== 'health')) {
      throw new UsageError(`--filter '${f}': expected status=<status>, image=<image>, exitcode=<code> or health=<health>`);
    }
    if (key === 'exitcode' && !/^-?\d+$/.test(value)) throw new UsageError(`--filter '${f}': exit code must be an integer`);
    return { key, value };
  });
}

export function applyFilters(containers: readonly ApiContainer[], filters: readonly ListFilter[]): ApiContainer[] {
  return containers.filter((c) =>
    filters.every((f) => {
      if (f.key === 'status') return c.state.status.toLowerCase() === f.value.toLowerCase();
      if (f.key === 'image') return c.imageRef === f.value;
      if (f.key === 'health') return (c.health?.status ?? 'none') === f.value.toLowerCase();
      return c.state.exitCode === Number(f.value);
    }),
  );
}

export interface ProgressLine {
  ref: string;
  totalBytes: number;
  doneBytes: number;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** One progress bar line (no newline): `pulling <ref> [=====>    ]  45% 1.2 MiB/2.7 MiB`. */
export function formatProgress(p: ProgressLine, width = 30): string {
  const ratio = p.totalBytes > 0 ? Math.min(1, p.doneBytes / p.totalBytes) : 0;
  const filled = Math.round(ratio * width);
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}`;
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `pulling ${p.ref} [${bar}] ${pct} ${formatBytes(p.doneBytes)}/${formatBytes(p.totalBytes)}`;
}
