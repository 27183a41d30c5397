// Task exits as the runtime reports them: from containerd's Events stream (resubscribed with a capped
// backoff while containerd is down) and from Tasks.Wait, deduplicated per (container, pid), each with
// whether the kernel OOM-killed it.
import type { ExitEvent } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import type { ContainerdClient, ResponseOf, ServerStream } from './client';
import { decodeTaskExit, decodeTaskOOM } from './proto-decode';
import { oomKills } from './stats';

export interface TaskExits {
  /** Reports an exit once per (id, pid), whichever source sees it first. */
  emit(e: Omit<ExitEvent, 'oomKilled'>): void;
  wasOomKilled(id: string): boolean;
  /** Drops what is remembered about a removed container. */
  forget(id: string): void;
  onExit(listener: (e: ExitEvent) => void): () => void;
  close(): void;
}

export function watchTaskExits(o: { client: ContainerdClient; namespace: string; logger: Logger }): TaskExits {
  const { client, namespace, logger } = o;
  const listeners = new Set<(e: ExitEvent) => void>();
  const oomSeen = new Set<string>();
  const emitted = new Set<string>();
  let closed = false;
  let events: ServerStream<'events', 'Subscribe'> | undefined;
  let resubscribe: NodeJS.Timeout | undefined;

  /** The /tasks/oom event travels through `containerd publish` and can trail the exit: the cgroup's
   *  oom_kill counter (kept until the task is deleted) answers at once. */
  function wasOomKilled(id: string): boolean {
    return oomSeen.has(id) || oomKills(`/${namespace}/${id}`) > 0;
  }

  function emit(e: Omit<ExitEvent, 'oomKilled'>): void {
    const key = `${e.id}:${e.pid}`;
    if (emitted.has(key)) return;
    emitted.add(key);
    if (emitted.size > 1000) emitted.delete(emitted.values().next().value!);
    const event: ExitEvent = { ...e, oomKilled: wasOomKilled(e.id) };
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.error({ err }, 'exit listener failed');
      }
    }
  }

  let streamFailures = 0;
  function streamDown(err: Error & { code?: number }): void {
    if (closed || err.code === 1) return;
    // containerd down (or restarting): retry with a capped exponential delay, warn once per outage.
    const delayMs = Math.min(1000 * 2 ** streamFailures, 30_000);
    const fields = { error: err.message, code: err.code, retryInMs: delayMs };
    if (streamFailures === 0) logger.warn(fields, 'event stream lost; resubscribing');
    else logger.debug(fields, 'event stream still down');
    streamFailures++;
    resubscribe = setTimeout(subscribe, delayMs);
  }
  // The client loads gRPC once containerd's socket exists (client.ts): until then ready() fails as the
  // stream would, and is retried the same way.
  function subscribe(): void {
    if (closed) return;
    client.ready().then(open).catch(streamDown);
  }
  function open(): void {
    if (closed) return;
    const ns = JSON.stringify(namespace);
    events = client.serverStream('events', 'Subscribe', { filters: [`namespace==${ns},topic=="/tasks/exit"`, `namespace==${ns},topic=="/tasks/oom"`] });
    events.on('data', (env: ResponseOf<'events', 'Subscribe'>) => {
      try {
        const value = Buffer.from(env.event?.value ?? []);
        if (env.topic === '/tasks/oom') oomSeen.add(decodeTaskOOM(value).containerId);
        else if (env.topic === '/tasks/exit') {
          const e = decodeTaskExit(value);
          // Exec processes have their own id; only the init process ends the container.
          if (e.id !== e.containerId) return;
          // The OOM event can trail the exit by a moment.
          setTimeout(() => emit({ id: e.containerId, pid: e.pid, exitCode: e.exitStatus, exitedAt: e.exitedAt }), e.exitStatus === 137 ? 100 : 0);
        }
      } catch (err) {
        logger.warn({ err, topic: env.topic }, 'undecodable event');
      }
    });
    events.on('metadata', () => (streamFailures = 0));
    events.on('error', streamDown);
  }
  subscribe();

  return {
    emit,
    wasOomKilled,
    forget: (id) => void oomSeen.delete(id),
    onExit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(resubscribe);
      events?.cancel();
    },
  };
}
