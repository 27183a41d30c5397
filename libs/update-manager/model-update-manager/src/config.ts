// The update-manager config: Kanto's keys and defaults (config/config_internal.go), the shared local bus
// settings, and Ledge's rollbackOnFailure. The README table is generated from it. Kanto's `log` and
// `connection` objects are not read: logging is Ledge's common keys, the broker is the local-bus keys.
import { isDomainId } from '@ledge/shared/model-update';
import { defineConfig, localBusSpec } from '@ledge/shared/util';
import { parseAgents } from './agents';
import { durationProblem } from './durations';

/** The commands owner consent may be asked before (Kanto docs/owner-consent-specification.md). */
export const CONSENT_COMMANDS = Object.freeze(['DOWNLOAD', 'UPDATE', 'ACTIVATE'] as const);
export type ConsentCommand = (typeof CONSENT_COMMANDS)[number];

export const updateManagerSpec = defineConfig({
  domain: {
    type: 'string',
    default: 'device',
    describe: "the manager's own domain: its local API is <domain>update/… (device → deviceupdate/desiredstate, …)",
    validate: (v: unknown) => (typeof v === 'string' && isDomainId(v) ? undefined : 'letters, digits, ".", "_", "-" (at most 64)'),
  },
  thingsEnabled: {
    type: 'boolean',
    default: true,
    describe: 'also serve the UpdateManager Ditto feature on the gateway thing (the local API is served either way)',
  },
  agents: {
    type: 'json',
    default: ['containers'] as unknown,
    accepts: ['array', 'object'],
    describe: 'the update agents\' domains: ["containers", …], or Kanto\'s map {"containers": {"rebootRequired": false, "readTimeout": "30s"}}',
    validate: (v: unknown) => {
      const r = parseAgents(v, { readTimeoutMs: 60_000 });
      return r.ok ? undefined : r.problems.join('; ');
    },
  },
  rebootRequired: {
    type: 'string[]',
    default: [] as string[],
    describe: 'domains whose completed updates need a reboot (the list form of Kanto\'s agents.<domain>.rebootRequired)',
  },
  rebootEnabled: {
    type: 'boolean',
    default: true,
    describe: 'reboot after a completed activity that needs it (ledge run --dev: off)',
  },
  rebootAfter: { type: 'string', default: '30s', describe: 'how long after such an activity the reboot comes', validate: durationProblem(false) },
  phaseTimeout: {
    type: 'string',
    default: '10m',
    describe: 'the longest identification or command phase (DOWNLOAD, UPDATE, ACTIVATE, ROLLBACK, CLEANUP); then the activity ends INCOMPLETE naming the domains that stalled and their last status',
    validate: durationProblem(false),
  },
  readTimeout: {
    type: 'string',
    default: '1m',
    describe: 'how long an agent may take to answer a desired state or a current-state get (per agent in Kanto\'s map form)',
    validate: durationProblem(false),
  },
  ownerConsentCommands: {
    type: 'string[]',
    default: [] as string[],
    describe: `commands the device owner approves first: any of ${CONSENT_COMMANDS.join(', ')}`,
    validate: (v: unknown) => {
      const bad = (v as string[]).filter((c) => !(CONSENT_COMMANDS as readonly string[]).includes(c));
      return bad.length > 0 ? `${bad.map((c) => JSON.stringify(c)).join(', ')}: not one of ${CONSENT_COMMANDS.join(', ')}` : undefined;
    },
  },
  ownerConsentTimeout: { type: 'string', default: '30m', describe: 'how long the owner has to answer; then as DENIED', validate: durationProblem(false) },
  currentStateDelay: {
    type: 'string',
    default: '30s',
    describe: 'an agent\'s changed current state is reported this long after the first change, with all changes since; 0s = at once',
    validate: durationProblem(true),
  },
  reportFeedbackInterval: {
    type: 'string',
    default: '1m',
    describe: 'at most one RUNNING feedback this often (the latest actions); 0s = no RUNNING feedback',
    validate: durationProblem(true),
  },
  rollbackOnFailure: {
    type: 'boolean',
    default: true,
    describe: 'Ledge: a domain that fails DOWNLOAD, UPDATE or ACTIVATE stops the activity and every domain that can is rolled back, then cleaned up (false: Kanto\'s rule, the failing domain is cleaned up, the others go on)',
  },
  ...localBusSpec,
});

export type UpdateManagerSpec = typeof updateManagerSpec;
