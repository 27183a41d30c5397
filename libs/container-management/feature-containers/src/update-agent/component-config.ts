// A desired-state component (`{id, version, config: [{key, value}]}`) → the container it asks for, with the
// keys of Kanto's containers update agent (containerm/updateagent internal_desired_state.go,
// to_containers.go). The key/values become a §4.2 descriptor and parseDescriptor applies the rules a
// deployment file meets. Unlike Kanto, which logs and drops a value it cannot read (a bad port, `memory:
// lots`) and then runs the container without it, every unknown key and bad value is a problem naming the
// component and the key, so the update is refused with the reason (issue 18, "say why"). Pure.
import { dittoHealthCheckOf, healthCheckFromKeys, isValidContainerName, parseDescriptor, type ContainerConfig } from '@ledge/container-management/model-containers';
import type { ComponentWithConfig, KeyValuePair } from '@ledge/shared/model-update';
import { parseGoDuration } from '@ledge/shared/util';
import { parseDeviceForm, parseMountForm, parsePortForm, type FormResult } from './kanto-forms';

/** Keys that may repeat, one entry each (Kanto appends them in order). */
const LIST_KEYS = ['env', 'cmd', 'port', 'host', 'mount', 'device'] as const;
/** Keys given at most once. `domainName`, `hostName` are Ledge's: the current state reports them. */
const SINGLE_KEYS = [
  'image', 'network', 'privileged', 'terminal', 'interactive',
  'restartPolicy', 'restartMaxRetries', 'restartTimeout',
  'logDriver', 'logMaxFiles', 'logMaxSize', 'logPath', 'logMode', 'logMaxBufferSize',
  'memory', 'memoryReservation', 'memorySwap', 'domainName', 'hostName',
] as const;
/** Parameters of the current state that are facts, not settings: a desired state copied from it has them. */
const STATE_KEYS = ['status', 'created', 'finishedAt', 'exitCode', 'restartCount', 'manuallyStopped', 'startedSuccessfullyBefore', 'health'];
export const COMPONENT_KEYS: readonly string[] = [...SINGLE_KEYS, ...LIST_KEYS, 'health.*'];

/** Suffixes of the agent's own names while an update runs (the replacement, the original). */
export const NEW_SUFFIX = '.new';
export const OLD_SUFFIX = '.old';
const MAX_NAME = 128 - NEW_SUFFIX.length;

export type ComponentResult = { ok: true; config: ContainerConfig } | { ok: false; problems: string[] };

/** Descriptor path → the key it came from, to name the key in parseDescriptor's problems. */
const PATH_KEYS: readonly [string, string][] = [
  ['container_name', 'id'], ['image.name', 'image'], ['domain_name', 'domainName'], ['host_name', 'hostName'],
  ['mount_points', 'mount'], ['config.env', 'env'], ['config.cmd', 'cmd'],
  ['io_config.tty', 'terminal'], ['io_config.open_stdin', 'interactive'],
  ['host_config.devices', 'device'], ['host_config.port_mappings', 'port'], ['host_config.extra_hosts', 'host'],
  ['host_config.network_mode', 'network'], ['host_config.privileged', 'privileged'],
  ['host_config.restart_policy.type', 'restartPolicy'], ['host_config.restart_policy.maximum_retry_count', 'restartMaxRetries'],
  ['host_config.restart_policy.retry_timeout', 'restartTimeout'],
  ['host_config.resources.memory_reservation', 'memoryReservation'], ['host_config.resources.memory_swap', 'memorySwap'], ['host_config.resources.memory', 'memory'],
  ['host_config.log_config.driver_config.type', 'logDriver'], ['host_config.log_config.driver_config.max_files', 'logMaxFiles'],
  ['host_config.log_config.driver_config.max_size', 'logMaxSize'], ['host_config.log_config.driver_config.root_dir', 'logPath'],
  ['host_config.log_config.mode_config.mode', 'logMode'], ['host_config.log_config.mode_config.max_buffer_size', 'logMaxBufferSize'],
  ['health_check', 'health.*'],
];

/** Go's strconv.ParseBool, which Kanto reads these values with. */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** `problem(key, message)` collects `key 'k': message`. */
type Problem = (key: string, message: string) => void;

function bool(v: string | undefined, key: string, problem: Problem): boolean | undefined {
  if (v === undefined) return undefined;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  problem(key, `'${v}' is not true or false`);
  return undefined;
}

function int(v: string | undefined, key: string, problem: Problem): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d{1,9}$/.test(v.trim())) return Number(v.trim());
  problem(key, `'${v}' is not a whole number`);
  return undefined;
}

/** Kanto reads whole seconds and reports a Go duration (`3m0s`): both are accepted. */
function seconds(v: string | undefined, key: string, problem: Problem): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d{1,7}$/.test(v.trim()) ? Number(v.trim()) * 1000 : parseGoDuration(v);
  // The descriptor takes retry timeouts above 10^6 for nanoseconds (Kanto's own mix-up, descriptor.ts).
  if (ms !== undefined && ms % 1000 === 0 && ms <= 1e9) return ms / 1000;
  problem(key, `'${v}' is not a whole number of seconds (at most 1000000) or a duration like 30s`);
  return undefined;
}

/** The key's values run through a one-line form parser; a bad one is a problem naming the value. */
function forms(values: readonly string[], key: string, parse: (v: string) => FormResult, problem: Problem): Record<string, unknown>[] | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, unknown>[] = [];
  for (const v of values) {
    const r = parse(v);
    if (r.ok) out.push(r.value);
    else problem(key, r.problem);
  }
  return out;
}

/** Drops undefined members, and returns undefined for an object left empty. */
function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length > 0 ? out : undefined;
}

function checkKeys(config: readonly KeyValuePair[], problem: Problem): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of config) {
    if (key.startsWith('health.')) continue; // healthCheckFromKeys names its own
    if (STATE_KEYS.includes(key)) problem(key, 'is a fact the current state reports, not a setting: leave it out');
    else if (!(SINGLE_KEYS as readonly string[]).includes(key) && !(LIST_KEYS as readonly string[]).includes(key)) problem(key, `unknown key (known: ${COMPONENT_KEYS.join(', ')})`);
    else if ((SINGLE_KEYS as readonly string[]).includes(key) && byKey.has(key)) problem(key, 'given more than once');
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  return byKey;
}

function checkName(id: string, problem: Problem): void {
  if (!isValidContainerName(id) || id.length > MAX_NAME) problem('id', `'${id}' is not a container name (letters, digits, '_', '.', '-', at most ${MAX_NAME} characters)`);
  else if (id.endsWith(NEW_SUFFIX) || id.endsWith(OLD_SUFFIX)) problem('id', `'${id}' ends with ${NEW_SUFFIX} or ${OLD_SUFFIX}, which the agent uses for the containers of an update in progress`);
}

/** The component as a container config, or every problem with it. */
export function componentToConfig(component: ComponentWithConfig, domain: string): ComponentResult {
  const problems: string[] = [];
  const at = `component '${component.id}' (${domain}:${component.id})`;
  const problem: Problem = (key, message) => problems.push(`${at}: key '${key}': ${message}`);
  checkName(component.id, problem);
  const config = component.config ?? [];
  const byKey = checkKeys(config, problem);
  const one = (k: (typeof SINGLE_KEYS)[number]) => byKey.get(k)?.at(-1);
  const all = (k: (typeof LIST_KEYS)[number]) => byKey.get(k) ?? [];

  const image = one('image') ?? (component.version ? `${component.id}:${component.version}` : undefined);
  if (image === undefined || image.trim() === '') problem('image', `missing: give 'image', or a version to run '${component.id}:<version>'`);
  const health = healthCheckFromKeys(config);
  if (!health.ok) for (const p of health.problem.split('; ')) problems.push(`${at}: ${p.replace(/^(health\.[^:]+):/, "key '$1':")}`);
  const policy = one('restartPolicy');
  const onFailure = policy === 'on-failure' || policy === 'ON_FAILURE';
  // A verbose current state reports 0 and 0s for every policy: those copy back harmlessly.
  const zero = (v: string | undefined) => v === undefined || v.trim() === '0' || parseGoDuration(v) === 0;
  for (const k of ['restartMaxRetries', 'restartTimeout'] as const) if (!onFailure && !zero(one(k))) problem(k, "applies to restartPolicy 'on-failure' only");

  const descriptor = {
    container_name: component.id,
    image: { name: image?.trim() },
    domain_name: one('domainName'),
    host_name: one('hostName'),
    mount_points: forms(all('mount'), 'mount', parseMountForm, problem),
    config: compact({ env: all('env').length ? all('env') : undefined, cmd: all('cmd').length ? all('cmd') : undefined }),
    io_config: compact({ tty: bool(one('terminal'), 'terminal', problem), open_stdin: bool(one('interactive'), 'interactive', problem) }),
    host_config: compact({
      devices: forms(all('device'), 'device', parseDeviceForm, problem),
      port_mappings: forms(all('port'), 'port', parsePortForm, problem),
      extra_hosts: all('host').length ? all('host') : undefined,
      network_mode: one('network'),
      privileged: bool(one('privileged'), 'privileged', problem),
      resources: compact({ memory: one('memory'), memory_reservation: one('memoryReservation'), memory_swap: one('memorySwap') }),
      restart_policy: compact({
        type: policy,
        maximum_retry_count: onFailure ? int(one('restartMaxRetries'), 'restartMaxRetries', problem) : undefined,
        retry_timeout: onFailure ? seconds(one('restartTimeout'), 'restartTimeout', problem) : undefined,
      }),
      log_config: compact({
        driver_config: compact({ type: one('logDriver'), max_files: int(one('logMaxFiles'), 'logMaxFiles', problem), max_size: one('logMaxSize'), root_dir: one('logPath') }),
        mode_config: compact({ mode: one('logMode'), max_buffer_size: one('logMaxBufferSize') }),
      }),
    }),
    health_check: health.ok && health.value ? descriptorHealth(health.value) : undefined,
  };
  if (problems.length > 0 || image === undefined) return { ok: false, problems };
  const parsed = parseDescriptor(compact(descriptor));
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map((p) => `${at}: ${keyOfProblem(p)}`) };
  return { ok: true, config: parsed.value };
}

/** A check in the descriptor's spelling, for parseDescriptor to hold it to the rules of a deployment file. */
function descriptorHealth(h: Parameters<typeof dittoHealthCheckOf>[0]): Record<string, unknown> {
  const { startPeriod, ...rest } = dittoHealthCheckOf(h);
  return { ...rest, start_period: startPeriod };
}

/** `host_config.resources.memory: invalid size 'x'` → `key 'memory': invalid size 'x'`. */
function keyOfProblem(problem: string): string {
  const colon = problem.indexOf(': ');
  const path = colon < 0 ? '' : problem.slice(0, colon);
  const hit = PATH_KEYS.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
  if (hit === undefined) return problem;
  const index = /^[^[]*\[(\d+)\]/.exec(path.slice(hit[0].length))?.[1];
  const which = index !== undefined ? ` (entry ${Number(index) + 1})` : '';
  const message = problem.slice(colon + 2).replace('(health_check)', '(health.cmd, health.http or health.tcp)');
  return `key '${hit[1]}'${which}: ${message}`;
}
