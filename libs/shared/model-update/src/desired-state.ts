// The desired state (Kanto update-manager docs/desired-state-specification.md, api/types/desired_state.go):
// the full state each domain should reach, as domains of components with key/value config, plus optional
// baselines grouping `<domain>:<component>` entries. Kanto unmarshals it leniently and an agent then
// stalls or ignores what it did not understand (eclipse-kanto/kanto#353); here every field is checked and
// each problem names its path (`domains[0].components[1]: unknown key 'parameters' (did you mean 'config'?)`).
import { isPlainObject, parseFailure, type ParseFailure } from '@ledge/shared/util-parse';
import { isDomainId } from './topics';

export interface KeyValuePair {
  readonly key: string;
  readonly value: string;
}

export interface Component {
  readonly id: string;
  readonly version?: string;
}

export interface ComponentWithConfig extends Component {
  readonly config?: readonly KeyValuePair[];
}

export interface Domain {
  readonly id: string;
  readonly config?: readonly KeyValuePair[];
  readonly components?: readonly ComponentWithConfig[];
}

export interface Baseline {
  readonly title: string;
  readonly description?: string;
  readonly preconditions?: string;
  /** `<domain>:<component id>` */
  readonly components?: readonly string[];
}

export interface DesiredState {
  readonly baselines?: readonly Baseline[];
  readonly domains: readonly Domain[];
}

export type DesiredStateResult = { readonly ok: true; readonly desiredState: DesiredState } | ParseFailure;

const LIMITS = { domains: 64, components: 1024, config: 256, baselines: 256, idChars: 256, valueChars: 64 * 1024 };

/** Likely mix-ups seen in the field, for a hint in the problem. */
const HINTS: Readonly<Record<string, string>> = { parameters: 'config', configuration: 'config', params: 'config', name: 'id', components: 'components', domain: 'domains', baseline: 'baselines' };

function unknownKeys(v: Record<string, unknown>, allowed: readonly string[], at: string, problems: string[]): void {
  for (const k of Object.keys(v)) {
    if (allowed.includes(k)) continue;
    const hint = HINTS[k] !== undefined && allowed.includes(HINTS[k]) ? ` (did you mean '${HINTS[k]}'?)` : '';
    problems.push(`${at}: unknown key '${k}'${hint}`);
  }
}

function optionalString(v: Record<string, unknown>, key: string, at: string, problems: string[], max = LIMITS.valueChars): string | undefined {
  const s = v[key];
  if (s === undefined) return undefined;
  if (typeof s !== 'string') {
    problems.push(`${at}.${key}: not a string`);
    return undefined;
  }
  if (s.length > max) problems.push(`${at}.${key}: longer than ${max} characters`);
  return s;
}

function requiredId(v: Record<string, unknown>, key: string, at: string, problems: string[]): string | undefined {
  const s = v[key];
  if (s === undefined || s === '') {
    problems.push(`${at}.${key}: missing`);
    return undefined;
  }
  return optionalString(v, key, at, problems, LIMITS.idChars);
}

function array(v: unknown, at: string, max: number, problems: string[]): readonly unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    problems.push(`${at}: not an array`);
    return undefined;
  }
  if (v.length > max) {
    problems.push(`${at}: more than ${max} entries`);
    return undefined;
  }
  return v;
}

function keyValues(v: unknown, at: string, problems: string[]): KeyValuePair[] | undefined {
  const list = array(v, at, LIMITS.config, problems);
  if (list === undefined) return undefined;
  const out: KeyValuePair[] = [];
  list.forEach((kv, i) => {
    const here = `${at}[${i}]`;
    if (!isPlainObject(kv)) return void problems.push(`${here}: not an object with key and value`);
    unknownKeys(kv, ['key', 'value'], here, problems);
    const key = requiredId(kv, 'key', here, problems);
    const value = kv['value'] ?? '';
    if (typeof value !== 'string') return void problems.push(`${here}.value: not a string (write ${JSON.stringify(String(value))})`);
    if (value.length > LIMITS.valueChars) return void problems.push(`${here}.value: longer than ${LIMITS.valueChars} characters`);
    if (key !== undefined) out.push({ key, value });
  });
  return out;
}

function component(v: unknown, at: string, problems: string[]): ComponentWithConfig | undefined {
  if (!isPlainObject(v)) return void problems.push(`${at}: not an object`);
  unknownKeys(v, ['id', 'version', 'config'], at, problems);
  const id = requiredId(v, 'id', at, problems);
  const version = optionalString(v, 'version', at, problems, LIMITS.idChars);
  const config = keyValues(v['config'], `${at}.config`, problems);
  if (id === undefined) return undefined;
  return { id, ...(version !== undefined ? { version } : {}), ...(config !== undefined ? { config } : {}) };
}

function domain(v: unknown, at: string, problems: string[]): Domain | undefined {
  if (!isPlainObject(v)) return void problems.push(`${at}: not an object`);
  unknownKeys(v, ['id', 'config', 'components'], at, problems);
  const id = requiredId(v, 'id', at, problems);
  if (id !== undefined && !isDomainId(id)) problems.push(`${at}.id: '${id}' is not a domain id (letters, digits, '.', '_', '-')`);
  const config = keyValues(v['config'], `${at}.config`, problems);
  const list = array(v['components'], `${at}.components`, LIMITS.components, problems);
  const components: ComponentWithConfig[] = [];
  const seen = new Set<string>();
  list?.forEach((c, i) => {
    const parsed = component(c, `${at}.components[${i}]`, problems);
    if (parsed === undefined) return;
    if (seen.has(parsed.id)) problems.push(`${at}.components[${i}].id: '${parsed.id}' appears twice`);
    seen.add(parsed.id);
    components.push(parsed);
  });
  if (id === undefined) return undefined;
  return { id, ...(config !== undefined ? { config } : {}), ...(list !== undefined ? { components } : {}) };
}

function baseline(v: unknown, at: string, domains: readonly Domain[], problems: string[]): Baseline | undefined {
  if (!isPlainObject(v)) return void problems.push(`${at}: not an object`);
  unknownKeys(v, ['title', 'description', 'preconditions', 'components'], at, problems);
  const title = requiredId(v, 'title', at, problems);
  const description = optionalString(v, 'description', at, problems);
  const preconditions = optionalString(v, 'preconditions', at, problems);
  const list = array(v['components'], `${at}.components`, LIMITS.components, problems);
  const components: string[] = [];
  list?.forEach((c, i) => {
    const here = `${at}.components[${i}]`;
    if (typeof c !== 'string') return void problems.push(`${here}: not a string '<domain>:<component>'`);
    const sep = c.indexOf(':');
    const d = domains.find((x) => x.id === c.slice(0, sep));
    if (sep <= 0 || d === undefined) return void problems.push(`${here}: '${c}' names no domain of this desired state`);
    if (!(d.components ?? []).some((x) => x.id === c.slice(sep + 1))) return void problems.push(`${here}: '${c}' names no component of domain '${d.id}'`);
    components.push(c);
  });
  if (title === undefined) return undefined;
  return {
    title,
    ...(description !== undefined ? { description } : {}),
    ...(preconditions !== undefined ? { preconditions } : {}),
    ...(list !== undefined ? { components } : {}),
  };
}

/** Checks an untrusted desired state (an envelope's payload, or the `desiredState` of an `apply`). */
export function parseDesiredState(v: unknown, at = 'desiredState'): DesiredStateResult {
  if (!isPlainObject(v)) return parseFailure(`${at}: not an object with domains`);
  const problems: string[] = [];
  unknownKeys(v, ['baselines', 'domains'], at, problems);
  const list = array(v['domains'], `${at}.domains`, LIMITS.domains, problems);
  if (v['domains'] === undefined) problems.push(`${at}.domains: missing`);
  const domains: Domain[] = [];
  list?.forEach((d, i) => {
    const parsed = domain(d, `${at}.domains[${i}]`, problems);
    if (parsed === undefined) return;
    if (domains.some((x) => x.id === parsed.id)) problems.push(`${at}.domains[${i}].id: '${parsed.id}' appears twice`);
    domains.push(parsed);
  });
  const bl = array(v['baselines'], `${at}.baselines`, LIMITS.baselines, problems);
  const baselines: Baseline[] = [];
  bl?.forEach((b, i) => {
    const parsed = baseline(b, `${at}.baselines[${i}]`, domains, problems);
    if (parsed === undefined) return;
    if (baselines.some((x) => x.title === parsed.title)) problems.push(`${at}.baselines[${i}].title: '${parsed.title}' appears twice`);
    baselines.push(parsed);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, desiredState: { domains, ...(bl !== undefined ? { baselines } : {}) } };
}

/**
 * The slice of a desired state one domain's agent gets: that domain alone, and the baselines cut down to
 * its components (Kanto's SplitPerDomains / GetBaselinesForDomain).
 */
export function desiredStateForDomain(state: DesiredState, domainId: string): DesiredState | undefined {
  const d = state.domains.find((x) => x.id === domainId);
  if (d === undefined) return undefined;
  const baselines = (state.baselines ?? [])
    .map((b) => ({ ...b, components: (b.components ?? []).filter((c) => c.startsWith(`${domainId}:`)) }))
    .filter((b) => b.components.length > 0);
  return { domains: [d], ...(baselines.length > 0 ? { baselines } : {}) };
}

/** The values of one key, in order (env, port, mount... repeat). */
export function configValues(config: readonly KeyValuePair[] | undefined, key: string): string[] {
  return (config ?? []).filter((kv) => kv.key === key).map((kv) => kv.value);
}

/** The last value of a key, or undefined. */
export function configValue(config: readonly KeyValuePair[] | undefined, key: string): string | undefined {
  const all = configValues(config, key);
  return all.length > 0 ? all[all.length - 1] : undefined;
}
