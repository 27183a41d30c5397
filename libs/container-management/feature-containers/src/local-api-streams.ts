// The streamed routes of the local API (issue 4: `ledge cm logs -f`, `ledge cm start --a`):
// GET /containers/<ref>/logs?follow=1[&until=exit] and POST /containers/<ref>/start?attach=1. Both send
// NDJSON log lines ({stream, time, log}). With until=exit, and always with attach, the stream ends once
// the container has left RUNNING/PAUSED, with a last line {exit: {status, exitCode, finishedAt,
// oomKilled}} ({error} when the container was removed). Kanto's CLI attaches through the gRPC Attach
// stream (§4.3); our tasks' stdout/stderr are FIFOs drained into the json-file log and stdin is
// /dev/null, so attach is output only: it follows that log from its end.
import type { ServerResponse } from 'node:http';
import type { ContainerRuntime } from '@ledge/container-management/model-containers';
import type { Logger } from '@ledge/shared/util';
import { containerNotFoundError } from './errors';
import { apiErrorOf } from './local-api-routes';
import type { ContainerManager } from './manager';
import { runtimeIdOf, type ContainerRecord } from './store';

export interface LogStreamDeps {
  manager: ContainerManager;
  runtime: ContainerRuntime;
  log: Logger;
  /** Time after an exit during which late output is still read (the runtime's FIFO drain + log poll). */
  exitDrainMs: number;
}

export interface LogStreamOptions {
  tail: number;
  follow: boolean;
  text: boolean;
  /** With follow: end once the container is not running (after the history when it is not running now). */
  untilExit: boolean;
}

interface ExitLine {
  status: string;
  exitCode: number;
  finishedAt: string;
  oomKilled: boolean;
}

const LIVE = new Set(['RUNNING', 'PAUSED']);
const NDJSON = 'application/x-ndjson';

const exitLineOf = (r: ContainerRecord): ExitLine => ({ status: r.state.status, exitCode: r.state.exitCode, finishedAt: r.state.finishedAt, oomKilled: r.state.oomKilled });

/** The container's next exit ('removed' when it goes). Subscribe before acting, so an exit at once is not missed. */
function nextExit(manager: ContainerManager, id: string): { done: Promise<ExitLine | 'removed'>; cancel(): void } {
  let off = (): void => undefined;
  const done = new Promise<ExitLine | 'removed'>((resolve) => {
    off = manager.onEvent((e) => {
      if (e.type === 'removed' && e.id === id) resolve('removed');
      else if (e.type === 'state' && e.record.id === id && !LIVE.has(e.record.state.status)) resolve(exitLineOf(e.record));
    });
  });
  void done.then(() => off());
  return { done, cancel: () => off() };
}

const aborted = (signal: AbortSignal) => new Promise<'gone'>((resolve) => (signal.aborted ? resolve('gone') : signal.addEventListener('abort', () => resolve('gone'), { once: true })));

const delay = (ms: number, signal: AbortSignal) => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), aborted(signal)]);

export function createLogStreamer(deps: LogStreamDeps) {
  const { manager, runtime, log } = deps;
  const isLive = (id: string) => {
    const c = manager.list().find((x) => x.id === id);
    return c !== undefined && LIVE.has(c.state.status);
  };

  /**
   * Copies the log to `res` until it ends or the client goes; with `untilExit`, until the container exits.
   * `start` runs after the log is opened (so the follow begins at the file's end and the new task's first
   * output lands after it); lines are held back until it succeeded, so a refused start is a plain error.
   */
  const stream = async (res: ServerResponse, r: ContainerRecord, q: LogStreamOptions, start?: () => Promise<void>): Promise<void> => {
    const contentType = q.text ? 'text/plain; charset=utf-8' : NDJSON;
    const gone = new AbortController();
    const logEnd = new AbortController();
    res.on('close', () => {
      gone.abort();
      logEnd.abort();
    });
    const exit = start !== undefined || (q.untilExit && q.follow) ? nextExit(manager, r.id) : undefined;
    // until=exit on a container that is not running: its history, then its last exit.
    const follow = start !== undefined || (q.follow && !(exit && !isLive(r.id)));
    let held: string[] | undefined = start ? [] : undefined;
    const send = (s: string) => {
      if (held) return void held.push(s);
      if (!res.headersSent) res.writeHead(200, { 'content-type': contentType });
      if (!res.destroyed) res.write(s);
    };
    const iter = runtime.logs(runtimeIdOf(r), r.config, { ...(q.tail >= 0 ? { tail: q.tail } : {}), follow, signal: logEnd.signal });
    let failure: unknown;
    const copied = (async () => {
      try {
        for await (const l of iter) {
          if (logEnd.signal.aborted) break;
          send(q.text ? (l.log.endsWith('\n') ? l.log : `${l.log}\n`) : `${JSON.stringify(l)}\n`);
        }
      } catch (err) {
        if (!logEnd.signal.aborted) failure = err;
      }
    })();
    try {
      if (start) {
        try {
          await start();
        } catch (err) {
          logEnd.abort();
          await copied;
          throw err;
        }
        const lines = held ?? [];
        held = undefined;
        for (const s of lines) send(s);
      }
      let ended: ExitLine | 'removed' | 'gone' | undefined;
      if (exit && follow) {
        // A follow ends on abort only (a runtime without live output ends at once): wait for the exit.
        const failed = copied.then(() => (failure !== undefined ? undefined : new Promise<never>(() => undefined)));
        ended = await Promise.race([exit.done, failed, aborted(gone.signal)]);
        // Output written just before the exit is still on its way from the FIFO to the log file.
        if (ended !== undefined && ended !== 'gone') await delay(deps.exitDrainMs, gone.signal);
        logEnd.abort();
        await copied;
      } else {
        await copied;
        if (exit) ended = manager.list().find((x) => x.id === r.id) ? exitLineOf(manager.get(r.id)) : 'removed';
      }
      if (!gone.signal.aborted && !q.text && failure === undefined) {
        if (ended === 'removed') send(`${JSON.stringify({ error: apiErrorOf(containerNotFoundError(r.id)) })}\n`);
        else if (ended !== undefined && ended !== 'gone') send(`${JSON.stringify({ exit: ended })}\n`);
      }
    } finally {
      exit?.cancel();
    }
    if (failure !== undefined) {
      if (!res.headersSent) throw failure;
      log.warn({ err: failure, containerId: r.id }, 'log stream failed');
      if (!q.text) send(`${JSON.stringify({ error: apiErrorOf(failure) })}\n`);
    }
    if (!res.headersSent) res.writeHead(200, { 'content-type': contentType });
    res.end();
  };

  return {
    /** GET /containers/<ref>/logs. */
    logs: (res: ServerResponse, r: ContainerRecord, q: LogStreamOptions) => stream(res, r, q),
    /** POST /containers/<ref>/start?attach=1: start, then the new output until the container exits. */
    attach: (res: ServerResponse, r: ContainerRecord) => stream(res, r, { tail: 0, follow: true, text: false, untilExit: true }, () => manager.startContainer(r.id)),
  };
}
