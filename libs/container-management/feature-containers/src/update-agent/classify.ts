// Desired components against the manager's containers, by name (Kanto containerm/util containers_compare.go
// DetermineUpdateAction and updateagent update_operation.go Identify): the desired state is the whole
// domain, so a current container it does not name is destroyed, unless it is a system container. An action
// is `update` only when the manager's update() can bring the container there in place and back again on a
// rollback (restart policy; memory limits already set); anything else that differs needs a new container.
// Pure.
import type { ContainerConfig, Resources, RestartPolicy } from '@ledge/container-management/model-containers';
import type { Component } from '@ledge/shared/model-update';
import { containerVersion } from './current-state';

export type ActionKind = 'create' | 'recreate' | 'update' | 'keep' | 'destroy';

/** What the operation needs of a current container. */
export interface CurrentContainer {
  readonly name: string;
  readonly config: ContainerConfig;
  /** RUNNING or PAUSED when identified: a rollback starts it again. */
  readonly live: boolean;
}

export interface DesiredContainer {
  readonly name: string;
  readonly version: string | undefined;
  readonly config: ContainerConfig;
}

export interface PlannedAction {
  readonly kind: ActionKind;
  /** The container's name (the component id). */
  readonly name: string;
  /** As Kanto reports it: `<domain>:<name>`, the desired version or, for a destroy, the current image's. */
  readonly component: Component;
  readonly desired?: ContainerConfig;
  readonly current?: CurrentContainer;
  /** What the action will do, for the feedback. */
  readonly message: string;
}

const MESSAGES: Readonly<Record<ActionKind, string>> = {
  create: 'A new container will be created and started.',
  recreate: 'The container will be replaced by a new one with the new configuration.',
  update: 'The container will be updated in place (restart policy, memory limits).',
  keep: 'No change; the container will be checked to be running.',
  destroy: 'The container is not in the desired state and will be removed.',
};

const sorted = <T>(xs: readonly T[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

/** Every field but those update() changes, lists where order does not matter as sets (Kanto compares so). */
function fixedPart(c: ContainerConfig): unknown {
  const { name: _name, restartPolicy: _rp, resources: _res, env, portMappings, mountPoints, devices, extraHosts, extraCapabilities, ...rest } = c;
  return { ...rest, env: sorted(env), portMappings: sorted(portMappings), mountPoints: sorted(mountPoints), devices: sorted(devices), extraHosts: sorted(extraHosts), extraCapabilities: sorted(extraCapabilities) };
}

/** JSON with object keys sorted, so two equal configs compare equal whatever order their keys were set in. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).filter(([, y]) => y !== undefined).sort(([a], [b]) => a.localeCompare(b))) : x));
}

const samePolicy = (a: RestartPolicy, b: RestartPolicy) => canonical(a) === canonical(b);
const sameResources = (a: Resources, b: Resources) => canonical(a) === canonical(b);
/** update() merges resources: it can change a limit, not remove or add one and take it back on a rollback. */
const sameLimitKeys = (a: Resources, b: Resources) => canonical(Object.keys(a).filter((k) => a[k as keyof Resources] !== undefined).sort()) === canonical(Object.keys(b).filter((k) => b[k as keyof Resources] !== undefined).sort());

export function actionKind(current: ContainerConfig | undefined, desired: ContainerConfig): ActionKind {
  if (current === undefined) return 'create';
  if (canonical(fixedPart(current)) !== canonical(fixedPart(desired))) return 'recreate';
  if (samePolicy(current.restartPolicy, desired.restartPolicy) && sameResources(current.resources, desired.resources)) return 'keep';
  return sameLimitKeys(current.resources, desired.resources) ? 'update' : 'recreate';
}

export interface ClassifyInput {
  readonly domain: string;
  readonly desired: readonly DesiredContainer[];
  readonly current: readonly CurrentContainer[];
  /** Names never destroyed nor changed. */
  readonly systemContainers: readonly string[];
}

export type ClassifyResult = { ok: true; actions: PlannedAction[] } | { ok: false; problems: string[] };

/** Desired order first, then the destroys in name order. A change to a system container is a problem. */
export function classify(input: ClassifyInput): ClassifyResult {
  const byName = new Map(input.current.map((c) => [c.name, c]));
  const system = new Set(input.systemContainers);
  const problems: string[] = [];
  const actions: PlannedAction[] = [];
  for (const d of input.desired) {
    const current = byName.get(d.name);
    const kind = actionKind(current?.config, d.config);
    if (system.has(d.name) && kind !== 'keep') {
      problems.push(`component '${d.name}' (${input.domain}:${d.name}): is a system container (systemContainers), which this agent does not ${current ? 'change' : 'create'}`);
      continue;
    }
    actions.push({
      kind,
      name: d.name,
      component: { id: `${input.domain}:${d.name}`, ...(d.version !== undefined ? { version: d.version } : {}) },
      desired: d.config,
      ...(current ? { current } : {}),
      message: MESSAGES[kind],
    });
  }
  const named = new Set(input.desired.map((d) => d.name));
  const gone = input.current.filter((c) => !named.has(c.name) && !system.has(c.name)).sort((a, b) => a.name.localeCompare(b.name));
  for (const c of gone) {
    actions.push({ kind: 'destroy', name: c.name, component: { id: `${input.domain}:${c.name}`, version: containerVersion(c.config.imageRef) }, current: c, message: MESSAGES.destroy });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, actions };
}
