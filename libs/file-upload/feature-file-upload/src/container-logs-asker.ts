// The containers' part of a `Logs` upload (issue 21): their json-file logs are root's, so file upload asks
// container management for them on the local bus (model-edge container-logs.ts) and gathers the answer:
// chunks per container, then the end naming what each gave or why not. No answer within the idle time
// (container management not running, or stopped mid-answer) is an error saying so.
import { randomUUID } from 'node:crypto';
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { containerLogsResponseTopic, ContainerLogsTopics, encodeContainerLogsRequest, parseContainerLogsAnswer, type ContainerLogsRequest } from '@ledge/shared/model-edge';
import type { Logger } from '@ledge/shared/util';

export interface ContainerLogs {
  /** Lines per container asked (docker json-file lines, oldest first), and why a container gave none. */
  readonly lines: Readonly<Record<string, readonly string[]>>;
  readonly errors: Readonly<Record<string, string>>;
}

export type AskContainerLogs = (req: Omit<ContainerLogsRequest, 'requestId'>, signal?: AbortSignal) => Promise<ContainerLogs>;

export interface ContainerLogsAskerDeps {
  readonly bus: LocalBusClient;
  readonly logger: Logger;
  /** How long to wait for container management's next message (ms); default 30 s. */
  readonly idleMs?: number;
  readonly newId?: () => string;
}

export class ContainerLogsUnavailableError extends Error {}

export function createContainerLogsAsker(deps: ContainerLogsAskerDeps): AskContainerLogs {
  const idleMs = deps.idleMs ?? 30_000;
  const newId = deps.newId ?? (() => `logs-${randomUUID()}`);
  const log = deps.logger.child({ component: 'container-logs' });
  return async (req, signal) => {
    const requestId = newId();
    const topic = containerLogsResponseTopic(requestId);
    const lines: Record<string, string[]> = Object.fromEntries(req.containers.map((c) => [c, []]));
    let timer: NodeJS.Timeout | undefined;
    let remove: (() => void) | undefined;
    try {
      return await new Promise<ContainerLogs>((resolve, reject) => {
        const idle = () => {
          clearTimeout(timer);
          timer = setTimeout(() => reject(new ContainerLogsUnavailableError(`container management did not answer within ${Math.round(idleMs / 1000)} s: is it running?`)), idleMs);
        };
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        remove = deps.bus.onMessage(topic, (_t, payload) => {
          const parsed = parseContainerLogsAnswer(payload);
          if (!parsed.ok) return log.warn({ requestId, problems: parsed.problems }, 'container logs answer dropped');
          idle();
          const a = parsed.answer;
          if (a.kind === 'chunk') {
            if (lines[a.container] !== undefined) lines[a.container]!.push(...a.lines);
            return;
          }
          const errors = Object.fromEntries(req.containers.map((c) => [c, a.results[c] === undefined ? 'no answer for this container' : a.results[c]!.error]).filter(([, e]) => e !== undefined)) as Record<string, string>;
          resolve({ lines, errors });
        });
        idle();
        deps.bus
          .subscribe(topic, { qos: 1 })
          .then(() => deps.bus.publish(ContainerLogsTopics.request, encodeContainerLogsRequest({ ...req, requestId }), { qos: 1 }))
          .catch(reject);
      });
    } finally {
      clearTimeout(timer);
      remove?.();
      await deps.bus.unsubscribe(topic).catch(() => undefined);
    }
  };
}
