// The agent's answers to the update manager's messages: a desired state is identified into a new operation
// (ending the pending one, since each desired state is the whole domain); a command goes to the operation of
// its activity, or is refused with the reason. Callers run them one at a time.
import { parseCommand, type DesiredStateFeedback } from '@ledge/shared/model-update';
import type { Logger } from '@ledge/shared/util';
import { isPlainObject } from '@ledge/shared/util-parse';
import type { ContainerManager } from '../manager';
import { LIVE } from '../manager-core';
import { updateCommandRefusedError, updateComponentInvalidError, updateMessageInvalidError } from '../errors';
import type { PlannedAction } from './classify';
import { identify } from './identify';
import { FAILURE_OF, type Operation } from './operation';

export interface MessageHandlerDeps {
  readonly domain: string;
  readonly systemContainers: readonly string[];
  readonly manager: ContainerManager;
  readonly log: Logger;
  readonly commandTopic: string;
  send(activityId: string, feedback: DesiredStateFeedback): Promise<void>;
  reportNow(activityId: string): Promise<void>;
  newOperation(activityId: string, actions: readonly PlannedAction[]): Operation;
}

export interface MessageHandlers {
  desiredState(activityId: string, payload: unknown): Promise<void>;
  command(activityId: string, payload: unknown): Promise<void>;
}

export function createMessageHandlers(deps: MessageHandlerDeps): MessageHandlers {
  let operation: Operation | undefined;

  const desiredState = async (activityId: string, payload: unknown) => {
    await deps.send(activityId, { status: 'IDENTIFYING' });
    // The desired state is the whole domain: a newer one (or the same one again) ends the pending update.
    await operation?.supersede(activityId);
    operation = undefined;
    const current = deps.manager.list().map((r) => ({ name: r.config.name, config: r.config, live: LIVE.has(r.state.status) }));
    const result = identify({ payload, domain: deps.domain, systemContainers: deps.systemContainers, current });
    if (!result.ok) {
      deps.log.warn({ err: updateComponentInvalidError(activityId, result.problems) }, 'desired state refused');
      return void (await deps.send(activityId, { status: 'IDENTIFICATION_FAILED', message: result.problems.join('; '), actions: [] }));
    }
    const op = deps.newOperation(activityId, result.actions);
    deps.log.info({ activityId, actions: result.actions.map((a) => `${a.kind} ${a.name}`) }, 'desired state identified');
    await op.report('IDENTIFIED');
    if (result.actions.length === 0) await op.report('COMPLETED', 'nothing to do: the containers are as desired');
    else operation = op;
  };

  const onCommand = async (activityId: string, payload: unknown) => {
    const parsed = parseCommand(payload);
    if (!parsed.ok) {
      const named = isPlainObject(payload) ? payload['command'] : undefined;
      deps.log.warn({ err: updateMessageInvalidError(deps.commandTopic, parsed.problems), activityId }, 'update command refused');
      if (typeof named === 'string' && named in FAILURE_OF) await deps.send(activityId, { status: FAILURE_OF[named as keyof typeof FAILURE_OF], message: parsed.problems.join('; ') });
      else if (operation?.activityId === activityId) await operation.report(operation.status, `command refused: ${parsed.problems.join('; ')}`);
      return;
    }
    const { command } = parsed;
    if (operation === undefined || operation.activityId !== activityId) {
      const why = operation === undefined ? 'no update in progress' : `the update in progress is activity ${operation.activityId}`;
      deps.log.warn({ err: updateCommandRefusedError(command.command, activityId, why) }, 'update command refused');
      return void (await deps.send(activityId, { status: FAILURE_OF[command.command], message: `${command.command} refused: ${why}`, ...(command.baseline ? { baseline: command.baseline } : {}) }));
    }
    await operation.command(command);
    if (operation.done) await deps.reportNow('');
  };

  return {
    desiredState,
    async command(activityId, payload) {
      await onCommand(activityId, payload);
      if (operation?.done) operation = undefined;
    },
  };
}
