// The Ditto side of container management (§3.2–§3.5): ContainerFactory, Container:<id> and Metrics on
// the `<device>:edge:containers` thing. Operation values are validated by the model's parsers; manager
// events become twin modifies.
import {
  buildContainerStatus,
  parseCreateValue,
  parseMetricsRequest,
  parseRemoveValue,
  parseRenameValue,
  parseStopOptions,
  parseUpdateValue,
  dittoConfigOf,
  type Parsed,
} from '@ledge/container-management/model-containers';
import type { DittoAgent, DittoCommand } from '@ledge/shared/data-access-mqtt';
import { containerFeatureId, containerIdOfFeature, FeatureDefinitionLists, FeatureIds } from '@ledge/shared/model-ditto';
import type { Logger } from '@ledge/shared/util';
import { containerNotFoundError, invalidRequestError } from './errors';
import type { ContainerManager, ManagerEvent } from './manager';
import type { MetricsReporter } from './metrics-reporter';
import type { ContainerRecord } from './store';

export const FACTORY_OPERATIONS = ['create', 'createWithConfig'] as const;
export const CONTAINER_OPERATIONS = ['start', 'stop', 'stopWithOptions', 'pause', 'resume', 'rename', 'update', 'remove'] as const;
export const METRICS_OPERATIONS = ['request'] as const;

export interface ContainerFeaturesOptions {
  agent: Pick<DittoAgent, 'handle' | 'modify' | 'delete' | 'message' | 'onThing' | 'thingId'>;
  manager: ContainerManager;
  metrics: MetricsReporter;
  logger: Logger;
  /** Extra features published with the others when the thing becomes known (e.g. SoftwareUpdatable). */
  extraFeatures?: () => { featureId: string; value: unknown }[];
}

export interface ContainerFeatures {
  /** Publishes every feature (on start and whenever the thing identity changes). */
  publishAll(): Promise<void>;
  close(): void;
}

function need<T>(r: Parsed<T>, what: string): T {
  if (!r.ok) throw invalidRequestError(what, r.problems);
  return r.value;
}

export function containerFeature(r: ContainerRecord): { definition: readonly string[]; properties: { status: Record<string, unknown> } } {
  return { definition: FeatureDefinitionLists.container, properties: { status: buildContainerStatus(r) } };
}

export function registerContainerFeatures(options: ContainerFeaturesOptions): ContainerFeatures {
  const { agent, manager, metrics } = options;
  const log = options.logger.child({ component: 'container-features' });
  const statusPath = (id: string, sub = '') => `/features/${containerFeatureId(id)}/properties/status${sub}`;

  const safe = (what: string, p: Promise<void>) => {
    p.catch((err: unknown) => log.warn({ err, what }, 'twin update not sent'));
  };

  // Containers removed before the thing is known (an update agent settling an interrupted update right
  // after a restart): publishAll sends the features that exist, and must also delete these, or the cloud
  // keeps a Container feature of a container that is gone.
  const removedUnpublished = new Set<string>();

  const onEvent = (e: ManagerEvent) => {
    if (agent.thingId === undefined) {
      // publishAll runs once the thing is known
      if (e.type === 'removed') removedUnpublished.add(e.id);
      return;
    }
    switch (e.type) {
      case 'created':
        safe('created', agent.modify(`/features/${containerFeatureId(e.record.id)}`, containerFeature(e.record)));
        break;
      case 'state':
        safe('state', agent.modify(statusPath(e.record.id, '/state'), e.record.state));
        break;
      case 'renamed':
        safe('renamed', agent.modify(statusPath(e.record.id, '/name'), e.record.config.name));
        break;
      case 'updated':
        safe('updated', agent.modify(statusPath(e.record.id, '/config'), dittoConfigOf(e.record.config)));
        break;
      case 'removed':
        safe('removed', agent.delete(`/features/${containerFeatureId(e.id)}`));
        break;
      case 'health':
        // A Ledge addition beside Kanto's fields (issue 18); gone again when a recreate dropped the check.
        if (e.record.health) safe('health', agent.modify(statusPath(e.record.id, '/health'), e.record.health));
        else safe('health', agent.delete(statusPath(e.record.id, '/health')));
        break;
    }
  };

  const factory = async (c: DittoCommand) => {
    const req = need(parseCreateValue(c.value, c.operation === 'createWithConfig'), `${c.operation} request`);
    const record = await manager.create(req.config, { named: req.named, start: req.start });
    return { status: 200, value: record.id };
  };

  const container = async (c: DittoCommand): Promise<void> => {
    const id = containerIdOfFeature(c.featureId);
    if (id === undefined) throw containerNotFoundError(c.featureId);
    manager.get(id);
    switch (c.operation) {
      case 'start':
        return manager.startContainer(id);
      case 'stop':
        return manager.stop(id);
      case 'stopWithOptions':
        return manager.stop(id, need(parseStopOptions(c.value, manager.defaultStopTimeoutMs), 'stopWithOptions value'));
      case 'pause':
        return manager.pause(id);
      case 'resume':
        return manager.resume(id);
      case 'rename':
        return manager.rename(id, need(parseRenameValue(c.value), 'rename value'));
      case 'update':
        return manager.update(id, need(parseUpdateValue(c.value), 'update value'));
      case 'remove':
        return manager.remove(id, need(parseRemoveValue(c.value), 'remove value'));
    }
  };

  const metricsHandler = async (c: DittoCommand): Promise<void> => {
    metrics.apply(need(parseMetricsRequest(c.value), 'metrics request'));
  };

  const publishAll = async () => {
    await agent.modify(`/features/${FeatureIds.containerFactory}`, { definition: FeatureDefinitionLists.containerFactory });
    await agent.modify(`/features/${FeatureIds.metrics}`, { definition: FeatureDefinitionLists.metrics });
    for (const f of options.extraFeatures?.() ?? []) await agent.modify(`/features/${f.featureId}`, f.value);
    for (const { id } of manager.list()) {
      // Each as it is now: one removed since the list was taken has had its delete sent already, and a
      // modify after it would bring the feature back at the cloud (an update agent settling an
      // interrupted update removes containers while this runs).
      const now = manager.list().find((r) => r.id === id);
      if (now !== undefined) await agent.modify(`/features/${containerFeatureId(id)}`, containerFeature(now));
    }
    for (const id of [...removedUnpublished]) {
      removedUnpublished.delete(id);
      if (!manager.list().some((r) => r.id === id)) await agent.delete(`/features/${containerFeatureId(id)}`);
    }
  };

  const offs = [
    manager.onEvent(onEvent),
    agent.handle(FeatureIds.containerFactory, factory, FACTORY_OPERATIONS),
    agent.handle((f) => containerIdOfFeature(f) !== undefined, container, CONTAINER_OPERATIONS),
    agent.handle(FeatureIds.metrics, metricsHandler, METRICS_OPERATIONS),
    agent.onThing((thingId) => {
      log.info({ thingId }, 'publishing container features');
      safe('publishAll', publishAll());
    }),
  ];

  return {
    publishAll,
    close() {
      for (const off of offs) off();
    },
  };
}
