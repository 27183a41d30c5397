// Gathers what `ledge status` reports: the retained connection status and every app's health from the
// local bus (after asking the apps to publish theirs again), the containers from container management,
// and the size of the data directories.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalBusClient, type LocalBusClientOptions } from '@ledge/shared/data-access-mqtt';
import { appOfHealthTopic, EdgeTopics, HealthTopics, parseConnectionStatus, parseHealth, type AppHealth, type ConnectionStatus } from '@ledge/shared/model-edge';
import type { Logger } from '@ledge/shared/util';
import type { ContainerSummary, GatewayStatus } from './report';

export interface CollectOptions {
  readonly bus: Omit<LocalBusClientOptions, 'clientId' | 'logger'>;
  /** For the report: where the bus is. */
  readonly address: string;
  /** How long to wait for the broker (ms). */
  readonly connectTimeoutMs: number;
  /** After asking for health, how long answers are gathered (ms): a live app answers in milliseconds. */
  readonly answerMs: number;
  /** Container management's view, if it runs here; throws (with a message saying why) when it cannot tell. */
  readonly containers?: () => Promise<ContainerSummary>;
  /** systemd's Ledge units (restarts, main process) where systemd runs the apps; throws when there is none. */
  readonly units?: () => Promise<Readonly<Record<string, { readonly restarts: number; readonly mainPid: number }>>>;
  /** Directories whose size is reported (each summed on its own). */
  readonly dataDirs: readonly string[];
  readonly now?: () => number;
  readonly logger: Logger;
}

/** Bytes of regular files under `dir` (links not followed), at most `maxEntries` entries looked at. */
export async function directoryBytes(dir: string, maxEntries = 200_000): Promise<number> {
  let bytes = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(d);
    } catch (err) {
      if (d === dir) throw err;
      continue; // vanished or unreadable below the top: skipped
    }
    for (const name of names) {
      if (++seen > maxEntries) return bytes;
      const p = join(d, name);
      const st = await lstat(p).catch(() => undefined);
      if (st?.isDirectory()) stack.push(p);
      else if (st?.isFile()) bytes += st.size;
    }
  }
  return bytes;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An app's health says how often it was restarted only where its supervisor tells it (`ledge run
 * --processes`); under systemd the count is the unit's: its own `ledge-<app>.service`, or the all-in-one
 * `ledge.service` that hosts it, when that unit's main process is the one reporting. Pure.
 */
export function withUnitRestarts(apps: Readonly<Record<string, AppHealth>>, units: Readonly<Record<string, { readonly restarts: number; readonly mainPid: number }>>): Record<string, AppHealth> {
  return Object.fromEntries(
    Object.entries(apps).map(([app, h]) => {
      if (h.restarts !== undefined || h.status !== 'up') return [app, h];
      const unit = [units[`ledge-${app}.service`], units['ledge.service']].find((u) => u !== undefined && u.mainPid === h.pid);
      return [app, unit === undefined ? h : { ...h, restarts: unit.restarts }];
    }),
  );
}

export async function collectStatus(o: CollectOptions): Promise<GatewayStatus> {
  const now = o.now ?? Date.now;
  const disk = await Promise.all(
    o.dataDirs.map(async (path) => {
      try {
        return { path, bytes: await directoryBytes(path) };
      } catch (err) {
        return { path, bytes: 0, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    }),
  );
  const containers = o.containers
    ? await o.containers().catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }))
    : undefined;
  const base = { at: Math.floor(now() / 1000), disk, ...(containers !== undefined ? { containers } : {}) };

  const bus = createLocalBusClient({ ...o.bus, clientId: `ledge-status-${process.pid}`, logger: o.logger, backoff: { initialMs: 200, maxMs: 1000 } });
  let cloud: ConnectionStatus | undefined;
  const apps: Record<string, AppHealth> = {};
  bus.onMessage(EdgeTopics.connectionStatus, (_t, payload) => {
    const parsed = parseConnectionStatus(payload);
    if (parsed.ok) cloud = parsed.status;
  });
  bus.onMessage(HealthTopics.all, (topic, payload) => {
    const app = appOfHealthTopic(topic);
    const parsed = payload.length > 0 ? parseHealth(payload) : undefined;
    if (app !== undefined && parsed?.ok) apps[app] = parsed.health;
  });
  let lastError: string | undefined;
  bus.on('error', (err) => void (lastError = err.message));
  try {
    await bus.start();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), o.connectTimeoutMs);
    try {
      await bus.waitForConnection(abort.signal);
    } catch {
      const error = lastError ?? `no answer within ${o.connectTimeoutMs} ms`;
      return { ...base, bus: { address: o.address, reachable: false, error }, apps };
    } finally {
      clearTimeout(timer);
    }
    // retained first (they come with the SUBACK), then fresh answers from every live app
    await bus.subscribe([EdgeTopics.connectionStatus, HealthTopics.all], { qos: 1 });
    await bus.publish(HealthTopics.request, '', { qos: 0 });
    await sleep(o.answerMs);
    const units = o.units ? await o.units().catch(() => undefined) : undefined; // no systemd here: the health as it is
    return { ...base, bus: { address: o.address, reachable: true }, cloud, apps: units ? withUnitRestarts(apps, units) : apps };
  } finally {
    await bus.close();
  }
}
