// One step of a plan against the container manager. Containers are found by name at the time the step
// runs; the manager checks names and states itself (a rename to a taken name fails, as it should).
import type { ContainerManager } from '../manager';
import { LIVE } from '../manager-core';
import type { ContainerRecord } from '../store';
import { updateContainerMissingError } from '../errors';
import type { ContainerOp } from './phase-plans';

function find(manager: ContainerManager, name: string): ContainerRecord {
  const r = manager.findByName(name);
  if (r === undefined) throw updateContainerMissingError(name);
  return r;
}

export async function runOp(manager: ContainerManager, op: ContainerOp): Promise<void> {
  switch (op.op) {
    case 'create':
      await manager.create(op.config, { named: true, start: false });
      return;
    case 'stop': {
      // Already gone is stopped: a container the update destroys may be removed meanwhile (by the cloud,
      // by `ledge cm rm`); that is no reason to fail the update and roll everything back.
      const r = manager.findByName(op.name);
      if (r !== undefined && LIVE.has(r.state.status)) await manager.stop(r.id);
      return;
    }
    case 'update': {
      const r = op.ifPresent ? manager.findByName(op.name) : find(manager, op.name);
      if (r !== undefined) await manager.update(r.id, op.change);
      return;
    }
    case 'rename':
      await manager.rename(find(manager, op.name).id, op.to);
      return;
    case 'ensure-running': {
      const r = find(manager, op.name);
      if (r.state.status === 'PAUSED') await manager.resume(r.id);
      else if (r.state.status !== 'RUNNING') await manager.startContainer(r.id);
      return;
    }
    case 'remove': {
      // Already gone is what a removal wants (a rollback or cleanup run twice).
      const r = manager.findByName(op.name);
      if (r !== undefined) await manager.remove(r.id, true);
      return;
    }
  }
}
