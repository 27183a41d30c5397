// The packaged apps' systemd units as the scenarios look them up: which per-app units are enabled, the user
// a unit runs as, and the units the all-in-one ledge.service replaces (read from the unit files packaged).
import { readFileSync } from 'node:fs';
import type { ScenarioContext } from '../scenarios';

/** The enabled per-app units (ledge-<app>.service), as packaged. */
export const perAppUnits = (ctx: Pick<ScenarioContext, 'apps'>) => ctx.apps.filter((a) => a.unitName && a.enable).map((a) => a.unitName);
/** User= of an app's unit as packaged (root for software update and container management). */
export const unitUser = (ctx: Pick<ScenarioContext, 'apps'>, unit: string) =>
  /^User=(\S+)$/m.exec(readFileSync(ctx.apps.find((a) => a.unitName === unit)!.unitSource, 'utf8'))?.[1] ?? 'root';
/** The per-app units the all-in-one ledge.service replaces (they say Conflicts=ledge.service). */
export const replacedByAllInOne = (ctx: Pick<ScenarioContext, 'apps'>) =>
  perAppUnits(ctx).filter((unit) => /^Conflicts=ledge\.service$/m.test(readFileSync(ctx.apps.find((a) => a.unitName === unit)!.unitSource, 'utf8')));
