// Containers' logs for the `Logs` feature (issue 21; model-edge container-logs.ts): file upload asks on the
// local bus for the lines of some containers in a time window, container management, which owns the
// json-file logs (root's), answers on the request's own topic in chunks, then with one closing message
// naming what each container gave or why not. One request at a time; a few more wait their turn.
import type { ContainerRuntime, LogLine } from '@ledge/container-management/model-containers';
import type { LocalBusClient } from '@ledge/shared/data-access-mqtt';
import { chunkLines, containerLogsResponseTopic, ContainerLogsTopics, encodeContainerLogsAnswer, NO_SUCH_CONTAINER, parseContainerLogsRequest, type ContainerLogsRequest } from '@ledge/shared/model-edge';
import { onlyOnce, type Logger } from '@ledge/shared/util';
import type { ContainerManager } from './manager';
import { runtimeIdOf } from './store';

export interface ContainerLogsServiceDeps {
  readonly bus: LocalBusClient;
  readonly manager: ContainerManager;
  readonly runtime: ContainerRuntime;
  readonly logger: Logger;
}

export interface ContainerLogsService {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Requests that may wait behind the running one; more are answered with an error at once. */
const MAX_WAITING = 4;

/**
 * The json-file lines of one container's log in the request's window that hold its grep, the newest
 * `lines` of them within `budget` bytes (oldest dropped first). Pure over the lines it is given.
 */
export async function selectLogLines(source: AsyncIterable<LogLine>, req: Pick<ContainerLogsRequest, 'sinceMs' | 'untilMs' | 'grep' | 'lines'>, budget: number, signal?: AbortSignal): Promise<string[]> {
  const kept: string[] = [];
  let head = 0;
  let bytes = 0;
  for await (const l of source) {
    if (signal?.aborted) break;
    const t = Date.parse(l.time);
    if (!(t >= req.sinceMs && t <= req.untilMs)) continue;
    if (req.grep !== undefined && !l.log.includes(req.grep)) continue;
    const line = JSON.stringify({ log: l.log, stream: l.stream, time: l.time });
    kept.push(line);
    bytes += Buffer.byteLength(line, 'utf8') + 1;
    while (kept.length - head > req.lines || (bytes > budget && head < kept.length)) bytes -= Buffer.byteLength(kept[head++]!, 'utf8') + 1;
    if (head > 4096 && head * 2 > kept.length) {
      kept.splice(0, head);
      head = 0;
    }
  }
  return kept.slice(head);
}

export function createContainerLogsService(deps: ContainerLogsServiceDeps): ContainerLogsService {
  const log = deps.logger.child({ component: 'container-logs' });
  const abort = new AbortController();
  let chain: Promise<void> = Promise.resolve();
  let waiting = 0;
  let remove: (() => void) | undefined;

  const answer = async (req: ContainerLogsRequest): Promise<void> => {
    const topic = containerLogsResponseTopic(req.requestId);
    const results: Record<string, { lines: number; error?: string }> = {};
    let budget = req.maxBytes;
    for (const ref of req.containers) {
      if (abort.signal.aborted) return;
      const r = deps.manager.list().find((c) => c.id === ref) ?? deps.manager.findByName(ref);
      if (r === undefined) {
        results[ref] = { lines: 0, error: NO_SUCH_CONTAINER };
        continue;
      }
      try {
        const lines = await selectLogLines(deps.runtime.logs(runtimeIdOf(r), r.config, { signal: abort.signal }), req, budget, abort.signal);
        for (const run of chunkLines(lines)) await deps.bus.publish(topic, encodeContainerLogsAnswer({ kind: 'chunk', container: ref, lines: run }), { qos: 1 });
        budget -= lines.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 0);
        results[ref] = { lines: lines.length };
      } catch (err) {
        log.warn({ err, container: ref, requestId: req.requestId }, 'container log not read');
        results[ref] = { lines: 0, error: err instanceof Error ? err.message.slice(0, 1024) : String(err).slice(0, 1024) };
      }
    }
    await deps.bus.publish(topic, encodeContainerLogsAnswer({ kind: 'end', results }), { qos: 1 });
    log.info({ requestId: req.requestId, results }, 'containers\' logs sent');
  };

  const onRequest = (_topic: string, payload: Buffer) => {
    const parsed = parseContainerLogsRequest(payload);
    if (!parsed.ok) {
      log.warn({ problems: parsed.problems }, 'container logs request refused');
      return;
    }
    const req = parsed.request;
    if (waiting >= MAX_WAITING) {
      const results = Object.fromEntries(req.containers.map((c) => [c, { lines: 0, error: 'busy: too many container log requests at once' }]));
      void deps.bus.publish(containerLogsResponseTopic(req.requestId), encodeContainerLogsAnswer({ kind: 'end', results }), { qos: 1 }).catch((err: unknown) => log.warn({ err }, 'busy answer not sent'));
      return;
    }
    waiting++;
    chain = chain
      .then(() => answer(req))
      .catch((err: unknown) => log.warn({ err, requestId: req.requestId }, 'containers\' logs not sent'))
      .finally(() => void waiting--);
  };

  return {
    async start() {
      remove = deps.bus.onMessage(ContainerLogsTopics.request, onRequest);
      await deps.bus.subscribe(ContainerLogsTopics.request, { qos: 1 });
    },
    // Stops reading and sending; a request cut off gets no end (the asker times out).
    close: onlyOnce(async () => {
      remove?.();
      abort.abort();
      await chain;
    }),
  };
}
