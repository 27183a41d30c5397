// systemd readiness and watchdog (issue 21) for units with Type=notify, NotifyAccess=all and WatchdogSec=.
// Node has no datagram unix socket, so the messages go through what systemd provides: the `systemd-notify`
// tool, which waits (sd_notify_barrier, systemd ≥ 246) until the service manager has read the message,
// so a helper that exits at once is still attributed to the unit. WATCHDOG=1 every third of WatchdogSec
// from the event loop (an app whose loop hangs stops pinging, and systemd aborts and restarts it,
// Restart=on-failure), READY=1 once the app started. Nothing happens outside systemd (no NOTIFY_SOCKET).
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

export interface SystemdNotifier {
  /** WATCHDOG_USEC / 3 in ms, when systemd asks for pings (for this process); else undefined. */
  readonly pingEveryMs: number | undefined;
  /**
   * WATCHDOG=1 on the interval from now on. Armed before the app starts: a unit without Type=notify
   * (container management, whose start may pull images) has its watchdog running from the exec on.
   */
  watch(): void;
  /** READY=1: the app started (Type=notify units become active). */
  ready(): void;
  /** STOPPING=1; pings stop. */
  stopping(): void;
}

export interface SystemdNotifierOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid: number;
  readonly logger: Logger;
  /** Sends one state line; default: `systemd-notify <state>`. */
  readonly send?: (state: string) => Promise<void>;
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  readonly clearInterval?: (handle: unknown) => void;
}

/** The environment a child must not inherit: its notifications would speak for its parent's unit. */
export const SYSTEMD_NOTIFY_ENV = Object.freeze(['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const);

export function systemdNotifySend(state: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('systemd-notify', [state], { timeout: 10_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`systemd-notify ${state}: ${stderr.trim() || err.message}`)) : resolve())),
  );
}

/** undefined outside a Type=notify unit (no NOTIFY_SOCKET). */
export function createSystemdNotifier(o: SystemdNotifierOptions): SystemdNotifier | undefined {
  if (!o.env['NOTIFY_SOCKET']) return undefined;
  const log = o.logger.child({ component: 'systemd' });
  const send = o.send ?? systemdNotifySend;
  const every = (o.setInterval ?? setInterval) as (fn: () => void, ms: number) => unknown;
  const stop = (o.clearInterval ?? clearInterval) as (handle: unknown) => void;
  const usec = Number(o.env['WATCHDOG_USEC']);
  const watchdogPid = o.env['WATCHDOG_PID'];
  const forUs = watchdogPid === undefined || watchdogPid === '' || Number(watchdogPid) === o.pid;
  const pingEveryMs = Number.isSafeInteger(usec) && usec > 0 && forUs ? Math.max(1, Math.floor(usec / 3000)) : undefined;
  let timer: unknown;
  let failures = 0;
  let busy = false;
  let stopped = false;
  const tell = (state: string) => {
    if (busy && state === 'WATCHDOG=1') return; // the last ping is still on its way: one at a time
    busy = true;
    send(state).then(
      () => {
        busy = false;
        if (failures > 0) log.info({ state }, 'systemd notification works again');
        failures = 0;
      },
      (err: unknown) => {
        busy = false;
        // once, then quietly: a missing systemd-notify must not fill the journal every ten seconds; and not
        // at all for a ping that was on its way when the unit began to stop (systemd may refuse it then)
        if (failures++ === 0 && !stopped) log.warn({ err, state }, 'systemd notification failed (is systemd-notify installed?)');
      },
    );
  };
  return {
    pingEveryMs,
    watch() {
      if (pingEveryMs === undefined || timer !== undefined) return;
      timer = every(() => tell('WATCHDOG=1'), pingEveryMs);
      (timer as { unref?(): unknown }).unref?.();
      log.info({ pingEveryMs }, 'systemd watchdog armed');
    },
    ready() {
      tell('READY=1');
    },
    stopping() {
      stopped = true;
      if (timer !== undefined) stop(timer);
      timer = undefined;
      tell('STOPPING=1');
    },
  };
}
