// What the QEMU test proves about the packaged stack, in order; each scenario leaves the stack running as
// it found it (test-e2e/qemu/README.md "Adding a scenario"; a long one gets its own file in scenarios/).
// remove-and-reinstall purges and reinstalls every Ledge package, so it runs last; it puts /etc/ledge
// back, but the apps' state is gone after it.
import type { AppPackage } from '../../packaging/lib/apps.mjs';
import type { Vm } from './lib/vm';
import type { Cloud } from './lib/cloud';
import { mqttRoundTrip, retainedSurvivesRestart } from './scenarios/broker';
import { connectorCloud, dittoRoundtrip, ledgeStatus, softwareUpdate } from './scenarios/cloud-link';
import { desiredState } from './scenarios/desired-state';
import { logsUpload } from './scenarios/logs-upload';
import { noRootThroughTheBus } from './scenarios/no-root-through-the-bus';
import { oneAnswerPerCommand } from './scenarios/one-answer-per-command';
import { allInOneSwitch, removeAndReinstall } from './scenarios/packages';
import { powerCut } from './scenarios/power-cut';
import { journalJson, restartOnCrash, unitsStarted, watchdog } from './scenarios/supervision';

export interface ScenarioContext {
  cloud: Cloud;
  vm: Vm;
  /** The packaged apps (packaging/lib/apps.mjs), the CLI first. */
  apps: readonly AppPackage[];
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** What a user relies on that this proves. */
  proves: string;
  timeoutMs: number;
  /** A reason to skip, e.g. when the app it needs was not packaged. */
  skip?: (ctx: Pick<ScenarioContext, 'apps'>) => string | false;
  run(ctx: ScenarioContext): Promise<void>;
}

export const scenarios: readonly Scenario[] = [
  unitsStarted,
  mqttRoundTrip,
  retainedSurvivesRestart,
  restartOnCrash,
  watchdog,
  journalJson,
  connectorCloud,
  ledgeStatus,
  dittoRoundtrip,
  softwareUpdate,
  allInOneSwitch,
  oneAnswerPerCommand,
  logsUpload,
  desiredState,
  noRootThroughTheBus,
  powerCut,
  removeAndReinstall,
];
