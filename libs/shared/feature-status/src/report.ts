// What `ledge status` makes of what it gathered: the problems (any → exit code 1) and the text a person
// reads. Pure.
import type { AppHealth, ConnectionStatus } from '@ledge/shared/model-edge';

export interface ContainerSummary {
  readonly total: number;
  /** Container state (`Running`, `Stopped`, …) → how many. */
  readonly byState: Readonly<Record<string, number>>;
}

export interface GatewayStatus {
  /** Unix seconds when it was gathered. */
  readonly at: number;
  readonly bus: { readonly address: string; readonly reachable: boolean; readonly error?: string };
  /** The connector's retained `edge/connection/remote/status`; undefined: none on the bus. */
  readonly cloud?: ConnectionStatus;
  /** `edge/health/<app>` by app. */
  readonly apps: Readonly<Record<string, AppHealth>>;
  /** From container management's local API; `unavailable` says why not (no such daemon here is not a problem). */
  readonly containers?: ContainerSummary | { readonly unavailable: string };
  /** Bytes under each data directory. */
  readonly disk: readonly { readonly path: string; readonly bytes: number; readonly error?: string }[];
}

/** Everything that is down or missing; empty: all well. */
export function problemsOf(s: GatewayStatus): string[] {
  if (!s.bus.reachable) return [`the local broker at ${s.bus.address} is unreachable${s.bus.error ? ` (${s.bus.error})` : ''}`];
  const problems: string[] = [];
  if (s.cloud === undefined) problems.push('no connection status on the bus: is the connector running?');
  else if (!s.cloud.connected) problems.push(`cloud link down: ${s.cloud.cause}`);
  const apps = Object.entries(s.apps).sort(([a], [b]) => a.localeCompare(b));
  if (apps.length === 0) problems.push('no app reports its health on edge/health/+');
  for (const [app, h] of apps) if (h.status !== 'up') problems.push(`${app} is down (${h.reason ?? 'no reason given'}) since ${iso(h.since)}`);
  // A failed last update (an app's `lastOperation`) is shown but is not a problem: the gateway itself is
  // well, the backend that sent the update already has its FINISHED_ERROR, and a script watching the exit
  // code would otherwise fail until the next update succeeds.
  return problems;
}

/** An install script's message may span lines; the report keeps it on one. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function cloudLine(s: GatewayStatus): string {
  const c = s.cloud;
  if (c === undefined) return 'unknown (no connection status on the bus)';
  const outbox = c.outbox ? `, outbox ${c.outbox.depth} queued${c.outbox.depth > 0 ? `, oldest ${Math.round(c.outbox.oldestAgeMs / 1000)} s` : ''}` : '';
  return c.connected ? `connected${outbox}` : `disconnected: ${c.cause}${outbox}`;
}

/** The report as a person reads it (`ledge status`). */
export function formatStatus(s: GatewayStatus, problems: readonly string[]): string {
  const lines: string[] = [];
  if (!s.bus.reachable) {
    lines.push(`Local bus:  ${s.bus.address} unreachable${s.bus.error ? ` (${s.bus.error})` : ''}`);
  } else {
    lines.push(`Local bus:  ${s.bus.address}`);
    lines.push(`Cloud:      ${cloudLine(s)}`);
    const apps = Object.entries(s.apps).sort(([a], [b]) => a.localeCompare(b));
    lines.push(`Apps:       ${apps.length === 0 ? 'none reporting' : ''}`.trimEnd());
    const width = Math.max(0, ...apps.map(([a]) => a.length));
    for (const [app, h] of apps) {
      const state = h.status === 'up' ? 'up  ' : 'DOWN';
      const extra = [
        `pid ${h.pid}`,
        `since ${iso(h.since)}`,
        `version ${h.version}`,
        ...(h.restarts ? [`${h.restarts} restart${h.restarts === 1 ? '' : 's'}`] : []),
        ...(h.reason ? [h.reason] : []),
        ...Object.entries(h.stats ?? {}).map(([k, v]) => `${k} ${v}`),
      ];
      lines.push(`  ${app.padEnd(width)}  ${state}  ${extra.join(', ')}`);
    }
    const update = s.apps['software-update']?.lastOperation;
    if (update !== undefined) lines.push(`Last update: ${update.module ?? update.correlationId} ${update.status} at ${iso(update.at)}${update.message ? ` (${oneLine(update.message)})` : ''}`);
  }
  const c = s.containers;
  if (c !== undefined) {
    if ('unavailable' in c) lines.push(`Containers: not available (${c.unavailable})`);
    else lines.push(`Containers: ${c.total === 0 ? 'none' : Object.entries(c.byState).sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) => `${n} ${state.toLowerCase()}`).join(', ')}`);
  }
  if (s.disk.length > 0) lines.push(`Disk:       ${s.disk.map((d) => `${d.path} ${d.error ? `(${d.error})` : formatBytes(d.bytes)}`).join(', ')}`);
  lines.push(problems.length === 0 ? 'Status:     OK' : `Status:     ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) lines.push(`  - ${p}`);
  return `${lines.join('\n')}\n`;
}
