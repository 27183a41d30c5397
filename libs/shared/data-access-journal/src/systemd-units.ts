// systemd's view of the Ledge units (issue 21, `ledge status`): how often systemd restarted each and which
// process is its main one. An app does not learn its unit's restart count (systemd passes none), so the
// operator's tools ask systemd: `systemctl show` of the loaded `ledge*` units.
import { execFile } from 'node:child_process';

export interface UnitState {
  /** `NRestarts`: restarts by systemd since the unit was loaded (Restart=, the watchdog). */
  readonly restarts: number;
  /** `MainPID`; 0 when not running. */
  readonly mainPid: number;
}

/** `systemctl show --property=Id,NRestarts,MainPID <units>` output → state by unit name. Pure. */
export function parseUnitShow(text: string): Record<string, UnitState> {
  const out: Record<string, UnitState> = {};
  for (const block of text.split(/\n\s*\n/)) {
    const props = Object.fromEntries(
      block
        .split('\n')
        .map((l) => /^([A-Za-z]+)=(.*)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
    const id = props['Id'];
    const restarts = Number(props['NRestarts']);
    const mainPid = Number(props['MainPID']);
    if (id && /^ledge[\w@.-]*\.service$/.test(id) && Number.isSafeInteger(restarts) && Number.isSafeInteger(mainPid)) out[id] = { restarts, mainPid };
  }
  return out;
}

/** The Ledge units' restart counts and main processes; rejects when there is no systemd to ask. */
export function readLedgeUnits(command = 'systemctl'): Promise<Record<string, UnitState>> {
  return new Promise((resolve, reject) =>
    execFile(command, ['show', '--property=Id,NRestarts,MainPID', 'ledge*.service'], { timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr.trim() || err.message)) : resolve(parseUnitShow(stdout)),
    ),
  );
}
