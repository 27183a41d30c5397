// Server-Sent Event streams of the Ditto side (issue 24). Twin changes: Ditto's SSE API `/api/2/things` with
// `Accept: text/event-stream` — each change as `data:<Thing JSON fragment>` and a blank line, filtered by
// `ids`, projected by `fields`, enriched by `extraFields`. Live messages from devices' outboxes: the
// message path with `/outbox/messages[/<subject>]` on a Thing or a Feature streams each message's payload.
// A comment line keeps idle connections open through proxies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { enrichFragment, selectFields, sseFragment, type Thing, type TwinEvent } from '@ledge/dev-cloud/model-dev-cloud';
import type { Scheduler, Timer } from '@ledge/shared/util';

export interface TwinStreamFilter {
  readonly ids?: ReadonlySet<string>;
  readonly fields?: readonly (readonly string[])[];
  readonly extraFields?: readonly (readonly string[])[];
}

export interface MessageStreamFilter {
  readonly thingId: string;
  /** undefined: messages from the Thing's own outbox. */
  readonly featureId?: string;
  /** undefined: every subject. */
  readonly subject?: string;
}

/** A message a device sent from an outbox. */
export interface LiveMessage {
  readonly thingId: string;
  readonly featureId?: string;
  readonly subject: string;
  readonly value?: unknown;
  readonly contentType?: string;
}

export interface SseHubOptions {
  /** The keep-alive timer (unref'd: open streams are the server's to hold the process, not this timer). */
  readonly scheduler: Scheduler;
  readonly keepAliveMs: number;
  readonly maxStreams: number;
}

export interface SseHub {
  /** False when too many streams are open (the caller answers 503). */
  openTwin(req: IncomingMessage, res: ServerResponse, filter: TwinStreamFilter): boolean;
  openMessages(req: IncomingMessage, res: ServerResponse, filter: MessageStreamFilter): boolean;
  publishTwin(event: TwinEvent, thing: Thing | undefined): void;
  publishMessage(message: LiveMessage): void;
  readonly size: number;
  close(): void;
}

type Stream = { readonly res: ServerResponse } & ({ readonly kind: 'twin'; readonly filter: TwinStreamFilter } | { readonly kind: 'messages'; readonly filter: MessageStreamFilter });

/** `data:` lines for a payload (one per line of it) and the blank line that ends the event. */
export function sseFrame(data: string): string {
  return `${data
    .split(/\r\n|\r|\n/)
    .map((l) => `data:${l}`)
    .join('\n')}\n\n`;
}

export function createSseHub(options: SseHubOptions): SseHub {
  const streams = new Set<Stream>();
  let keepAliveTimer: Timer | undefined;

  const keepAlive = () => {
    keepAliveTimer = undefined;
    for (const s of streams) s.res.write(':keep-alive\n\n');
    arm();
  };
  const arm = () => {
    if (streams.size > 0) keepAliveTimer ??= options.scheduler.setTimeout(keepAlive, options.keepAliveMs).unref();
  };
  const open = (req: IncomingMessage, res: ServerResponse, stream: Stream): boolean => {
    if (streams.size >= options.maxStreams) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    streams.add(stream);
    const drop = () => {
      streams.delete(stream);
      if (streams.size === 0) {
        keepAliveTimer?.cancel();
        keepAliveTimer = undefined;
      }
    };
    req.on('close', drop);
    res.on('close', drop);
    arm();
    return true;
  };

  return {
    openTwin: (req, res, filter) => open(req, res, { res, kind: 'twin', filter }),
    openMessages: (req, res, filter) => open(req, res, { res, kind: 'messages', filter }),
    publishTwin(event, thing) {
      let fragment: Record<string, unknown> | undefined;
      for (const s of streams) {
        if (s.kind !== 'twin' || (s.filter.ids && !s.filter.ids.has(event.thingId))) continue;
        fragment ??= sseFragment(event);
        let out = enrichFragment(fragment, thing, s.filter.extraFields ?? []);
        if (s.filter.fields) {
          out = selectFields(out, s.filter.fields);
          if (Object.keys(out).length === 0) continue; // nothing of what the client watches changed
        }
        s.res.write(sseFrame(JSON.stringify(out)));
      }
    },
    publishMessage(m) {
      let frame: string | undefined;
      for (const s of streams) {
        if (s.kind !== 'messages' || s.filter.thingId !== m.thingId || s.filter.featureId !== m.featureId) continue;
        if (s.filter.subject !== undefined && s.filter.subject !== m.subject) continue;
        frame ??= sseFrame(m.value === undefined ? '' : typeof m.value === 'string' ? m.value : JSON.stringify(m.value));
        s.res.write(frame);
      }
    },
    get size() {
      return streams.size;
    },
    close() {
      keepAliveTimer?.cancel();
      keepAliveTimer = undefined;
      for (const s of streams) s.res.end();
      streams.clear();
    },
  };
}
