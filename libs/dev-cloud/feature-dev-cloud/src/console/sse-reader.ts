/// <reference lib="dom" />
// Server-Sent Events over fetch (issue 24, item 3): EventSource cannot send an Authorization header, and a
// real Ditto on another origin wants one. The parser follows the HTML standard's "Parsing an event
// stream" (§9.2.6): lines end in CRLF, LF or CR; a blank line dispatches the event; `data:` lines are
// joined by LF; a line starting with `:` is a comment; one space after the colon is dropped; `retry:`
// with only digits sets the reconnection time; `id:` without NUL sets the last event ID; a leading BOM is
// skipped; an event not ended by a blank line when the stream ends is dropped. The reader reconnects
// after the reconnection time, doubling it on each failure up to a cap (with jitter), as the console's
// only reconnect loop.
import type { Scheduler, Timer } from '@ledge/shared/util';

export interface SseEvent {
  readonly kind: 'event';
  /** `event:` field; 'message' when absent. */
  readonly type: string;
  readonly data: string;
  readonly lastEventId: string;
}

export type SseItem = SseEvent | { readonly kind: 'retry'; readonly ms: number };

export interface SseParser {
  /** The events (and reconnection times) completed by this chunk of decoded text. */
  push(chunk: string): SseItem[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  let atStart = true;
  let skipLf = false; // the previous chunk ended in CR: a LF opening this one belongs to that line end
  let data = '';
  let type = '';
  let lastEventId = '';

  const line = (text: string, out: SseItem[]) => {
    if (text === '') {
      if (data !== '') out.push({ kind: 'event', type: type || 'message', data: data.endsWith('\n') ? data.slice(0, -1) : data, lastEventId });
      data = '';
      type = '';
      return;
    }
    if (text.startsWith(':')) return; // a comment (the server's keep-alive)
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data += `${value}\n`;
    else if (field === 'event') type = value;
    else if (field === 'id' && !value.includes('\0')) lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
    // any other field is ignored
  };

  return {
    push(chunk) {
      let text = chunk;
      if (skipLf && text.startsWith('\n')) text = text.slice(1);
      if (text !== '') skipLf = false;
      buffer += text;
      if (atStart && buffer !== '') {
        if (buffer.startsWith('\uFEFF')) buffer = buffer.slice(1);
        atStart = false;
      }
      const out: SseItem[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i), out);
        if (c === '\r') {
          if (i + 1 === buffer.length) skipLf = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}

/** How long to wait before reconnect number `attempt` (0 = the first after a failure). Pure. */
export function reconnectDelay(attempt: number, retryMs: number, maxMs: number, random: number): number {
  const base = Math.min(maxMs, retryMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 - 0.25 * random)); // up to 25 % less, so that many pages do not retry in step
}

export type SseState = { readonly open: true } | { readonly open: false; readonly reason: string; readonly status?: number; readonly retryInMs: number };

export interface SseOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly onEvent: (event: SseEvent) => void;
  readonly onState?: (state: SseState) => void;
  readonly fetch?: typeof fetch;
  /** The reconnect timer; browserScheduler by default (tests pass createFakeTime's). */
  readonly scheduler?: Pick<Scheduler, 'setTimeout'>;
  readonly random?: () => number;
  /** The reconnection time until the server sends `retry:`. */
  readonly retryMs?: number;
  readonly maxDelayMs?: number;
}

export const defaultSseOptions = Object.freeze({ retryMs: 1000, maxDelayMs: 30_000 });

/**
 * The util Scheduler over the page's own timers. This file runs in the browser (tools/build-app.mjs bundles
 * console/main.ts with platform 'browser'), where util's systemScheduler cannot come from: importing
 * `@ledge/shared/util` at run time would pull its Node-side modules (pino, node:fs) into the bundle, so
 * only the type is imported. A page's timer does not hold a process: unref() has nothing to do.
 */
export const browserScheduler: Pick<Scheduler, 'setTimeout'> = Object.freeze({
  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, ms);
    const timer: Timer = { cancel: () => clearTimeout(t), unref: () => timer };
    return timer;
  },
});

const isEventStream = (contentType: string | null) => (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'text/event-stream';

/**
 * Opens `url` as an event stream and keeps it open: each event to `onEvent`, each open and each loss (with
 * the reason, e.g. `401 Unauthorized`) to `onState`. No Last-Event-ID is sent: neither Ditto nor the dev
 * cloud replays by it (the console reads the twins again on each open), and it would cost a preflight.
 * Returns the function that closes it for good.
 */
export function openSse(url: string, options: SseOptions): () => void {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const scheduler = options.scheduler ?? browserScheduler;
  const random = options.random ?? Math.random;
  const maxDelayMs = options.maxDelayMs ?? defaultSseOptions.maxDelayMs;
  let retryMs = options.retryMs ?? defaultSseOptions.retryMs;
  let attempt = 0;
  let closed = false;
  let controller: AbortController | undefined;
  let timer: Timer | undefined;

  const deliver = (event: SseEvent) => {
    try {
      options.onEvent(event);
    } catch (err) {
      queueMicrotask(() => {
        throw err; // a listener's error is the page's, as with EventSource; the stream goes on
      });
    }
  };

  /** Reads one connection to its end; the reason it ended. */
  const read = async (signal: AbortSignal): Promise<{ reason: string; status?: number }> => {
    const res = await doFetch(url, { headers: { accept: 'text/event-stream', ...options.headers }, cache: 'no-store', signal });
    if (!res.ok || res.body === null) {
      await res.body?.cancel().catch(() => undefined); // the error body is not needed
      return { reason: `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, status: res.status };
    }
    if (!isEventStream(res.headers.get('content-type'))) {
      await res.body.cancel().catch(() => undefined); // not an event stream: nothing to read
      return { reason: `not an event stream (${res.headers.get('content-type') ?? 'no content type'})`, status: res.status };
    }
    attempt = 0;
    options.onState?.({ open: true });
    const parser = createSseParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done || closed) break;
      for (const item of parser.push(decoder.decode(value, { stream: true }))) {
        if (item.kind === 'retry') retryMs = item.ms;
        else if (!closed) deliver(item);
      }
    }
    return { reason: 'the stream ended' };
  };

  const connect = () => {
    timer = undefined;
    controller = new AbortController();
    void read(controller.signal)
      .catch((err: unknown) => ({ reason: err instanceof Error ? err.message : String(err) })) // refused, reset, aborted
      .then((ended: { reason: string; status?: number }) => {
        if (closed) return;
        const retryInMs = reconnectDelay(attempt++, retryMs, maxDelayMs, random());
        timer = scheduler.setTimeout(connect, retryInMs);
        options.onState?.({ open: false, reason: ended.reason, ...(ended.status === undefined ? {} : { status: ended.status }), retryInMs });
      });
  };

  connect();
  return () => {
    closed = true;
    timer?.cancel();
    controller?.abort();
  };
}
