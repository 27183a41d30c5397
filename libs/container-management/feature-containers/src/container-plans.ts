// The steps of `create` and `recreate` (STYLE.md "Composition": acquire → commit → release; create the
// replacement before destroying the original). Issue 16: a name was checked before the pull and taken
// after it, so two creates of one name both succeeded; recreate removed the old container before pulling,
// so a bad image left a RUNNING record with no container. Each step below names its undo; runPlan
// (steps.ts) undoes the steps done when a later one fails and logs an undo that fails.
import { initialState, runningState, startingHealth, type ContainerConfig } from '@ledge/container-management/model-containers';
import { isGone, LIVE, type ManagerCore } from './manager-core';
import { startOnBoot } from './restart-policy';
import type { Plan, Step } from './steps';
import { nextRuntimeId, runtimeIdOf, type ContainerRecord } from './store';

/** Removes an engine container we made in a step that is being undone. */
const removeEngineContainer = async (core: ManagerCore, id: string, rid: string) => {
  core.stopping.add(rid);
  try {
    await core.wrap('remove', id, () => core.runtime.removeContainer(rid, { force: true }));
  } finally {
    core.stopping.delete(rid);
  }
};

/**
 * A new container. The name was reserved synchronously when create() was called (`releaseName` gives
 * it back); the record becomes visible only at the commit, after the image and the engine container exist.
 */
export function createPlan(core: ManagerCore, record: ContainerRecord, releaseName: () => void): Plan {
  const { id, config } = record;
  return {
    op: 'create',
    containerId: id,
    steps: [
      { name: 'reserve name', undo: releaseName },
      { name: 'pull image', run: () => core.ensureImage(config.imageRef) },
      {
        name: 'create container',
        run: () => core.wrap('create', id, () => core.runtime.createContainer(id, config)),
        undo: () => removeEngineContainer(core, id, id),
      },
      {
        name: 'commit record',
        run: async () => {
          record.state = initialState();
          await core.persist(record);
          core.records.set(id, record);
          core.owners.set(id, id);
        },
      },
    ],
    // From the commit on, the record itself holds the name.
    release: [{ name: 'release name reservation', run: releaseName }],
  };
}

/**
 * A new config for an existing container, under the same record ID: pull the image and create the
 * replacement (engine ID `<id>.<n>`) while the original still runs; only then stop the original, start
 * the replacement and commit the record; the original is removed last. A failure at any step before the
 * commit removes the replacement and starts the original again, so the record never points at nothing.
 * A paused original comes back running.
 */
export function recreatePlan(core: ManagerCore, r: ContainerRecord, config: ContainerConfig, releaseName: () => void): Plan {
  const oldRid = runtimeIdOf(r);
  const newRid = nextRuntimeId(r);
  const wasLive = LIVE.has(r.state.status);
  const startReplacement = wasLive || startOnBoot(config.restartPolicy, false, false);
  let pid: number | undefined;
  let stoppedOriginal = false;

  const stopOriginal: Step = {
    name: 'stop original',
    run: async () => {
      try {
        await core.stopTask(r, { timeoutMs: core.defaultStopTimeoutMs });
        stoppedOriginal = true;
      } catch (err) {
        // The engine lost the original (its state was wiped): there is nothing to stop.
        if (!isGone(err)) throw err;
      }
    },
    undo: async () => {
      if (stoppedOriginal) await core.launch(r, false);
    },
  };
  const startNew: Step = {
    name: 'start replacement',
    run: async () => {
      ({ pid } = await core.wrap('start', r.id, () => core.runtime.startContainer(newRid, config)));
    },
    // Ended before the original starts again: the two may not run side by side (ports, devices).
    undo: async () => {
      core.stopping.add(newRid);
      try {
        await core.wrap('stop', r.id, () => core.runtime.stopContainer(newRid, { signal: 'SIGKILL', timeoutMs: core.defaultStopTimeoutMs }));
      } finally {
        core.stopping.delete(newRid);
      }
    },
  };
  const steps: Step[] = [
    { name: 'reserve name', undo: releaseName },
    { name: 'pull image', run: () => core.ensureImage(config.imageRef) },
    {
      name: 'create replacement',
      run: async () => {
        await core.wrap('create', r.id, () => core.runtime.createContainer(newRid, config));
        core.owners.set(newRid, r.id);
      },
      undo: async () => {
        await removeEngineContainer(core, r.id, newRid);
        core.owners.delete(newRid);
      },
    },
    ...(wasLive ? [stopOriginal] : []),
    ...(startReplacement ? [startNew] : []),
    {
      name: 'commit record',
      run: async () => {
        // Written first, applied after: a failed write leaves the record as it was.
        const state = pid === undefined ? initialState() : runningState(initialState(), pid, new Date(core.now()));
        const next: ContainerRecord = { ...r, config, runtimeId: newRid, state, restartCount: 0, userStopped: pid === undefined && r.userStopped };
        // The original's health is not the replacement's (issue 18); one without a check loses it through
        // the health monitor, which also tells the twin.
        if (config.healthCheck && pid !== undefined) next.health = startingHealth();
        await core.persist(next);
        Object.assign(r, next);
        core.quickExits.delete(r.id);
      },
    },
  ];
  return {
    op: 'recreate',
    containerId: r.id,
    steps,
    release: [
      {
        name: 'remove original',
        run: async () => {
          try {
            await removeEngineContainer(core, r.id, oldRid);
          } catch (err) {
            if (!isGone(err)) throw err;
          } finally {
            core.owners.delete(oldRid);
          }
        },
      },
      { name: 'release name reservation', run: releaseName },
    ],
  };
}

/**
 * Engine containers of known records that no record points at: a replacement or an original left by a
 * recreate that a crash or power cut interrupted. Removed at start, before any restart policy applies.
 */
export async function removeLeftovers(core: ManagerCore): Promise<void> {
  let ids: string[];
  try {
    ids = await core.runtime.listContainers();
  } catch (err) {
    core.log.warn({ err }, 'cannot list engine containers; leftovers of interrupted recreates stay');
    return;
  }
  for (const rid of ids) {
    if (core.owners.has(rid)) continue;
    const dot = rid.lastIndexOf('.');
    const id = core.records.has(rid) ? rid : dot > 0 && core.records.has(rid.slice(0, dot)) ? rid.slice(0, dot) : undefined;
    if (id === undefined) continue;
    try {
      await removeEngineContainer(core, id, rid);
      core.log.info({ containerId: id, runtimeId: rid }, 'removed the leftover of an interrupted recreate');
    } catch (err) {
      core.log.error({ err, containerId: id, runtimeId: rid }, 'cannot remove the leftover of an interrupted recreate');
    }
  }
}
