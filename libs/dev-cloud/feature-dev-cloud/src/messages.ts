// Ditto's HTTP messages API on the development cloud (issue 24): `POST .../inbox/messages/<subject>` becomes
// a Ditto live message, sent to the device as a Hono command; the device's response becomes the HTTP answer.
// As Ditto: `timeout` in seconds (default 10, at most 60), `timeout=0` answers 202 at once and asks for no
// response, no answer in time is 408 messages:message.timeout.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DittoErrors, type DeviceLink, type DeviceMessage, type DittoError } from '@ledge/dev-cloud/model-dev-cloud';
import { buildDittoTopic, DittoHeaderNames, getHeaderString, parseEnvelope, type DittoEnvelope, type ThingId } from '@ledge/shared/model-ditto';
import { decodeJsonInput } from '@ledge/shared/util-parse';
import type { Logger, Scheduler, Timer } from '@ledge/shared/util';
import { isJsonContentType, sendError } from './http-io';

export const DEFAULT_MESSAGE_TIMEOUT_S = 10;
export const MAX_MESSAGE_TIMEOUT_S = 60;

/** `?timeout=` or the `timeout` header: `30`, `30s`, `500ms`, `1m` → ms; absent → Ditto's default 10 s. */
export function parseMessageTimeout(raw: string | null | undefined): { ok: true; ms: number } | { ok: false; error: DittoError } {
  if (raw === null || raw === undefined || raw === '') return { ok: true, ms: DEFAULT_MESSAGE_TIMEOUT_S * 1000 };
  const m = /^(\d{1,9})(ms|s|m)?$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms > MAX_MESSAGE_TIMEOUT_S * 1000) return { ok: false, error: DittoErrors.timeoutInvalid(raw, MAX_MESSAGE_TIMEOUT_S) };
  return { ok: true, ms };
}

export interface OutgoingMessage {
  readonly thingId: ThingId;
  readonly thingIdText: string;
  readonly featureId?: string;
  readonly subject: string;
  readonly body: Buffer;
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly timeoutMs: number;
}

/** The message's value: JSON parsed (bounded) for a JSON content type, text for text, base64 for other bytes. */
export function messageValue(body: Buffer, contentType: string | undefined): { ok: true; value?: unknown } | { ok: false; error: DittoError } {
  if (body.length === 0) return { ok: true };
  if (isJsonContentType(contentType)) {
    const decoded = decodeJsonInput(body, { maxBytes: Infinity, maxDepth: 64, maxNodes: 100_000 });
    return decoded.ok ? { ok: true, value: decoded.value } : { ok: false, error: DittoErrors.jsonInvalid(`The message body is not valid JSON: ${decoded.problems.join('; ')}`) };
  }
  const media = (contentType ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  return { ok: true, value: media.startsWith('text/') ? body.toString('utf8') : body.toString('base64') };
}

/** The Ditto live message envelope (protocol §messages) for an HTTP message. */
export function buildInboxEnvelope(m: OutgoingMessage, value: unknown, correlationId: string): DittoEnvelope {
  const seconds = m.timeoutMs / 1000;
  const headers: Record<string, string | boolean> = {
    [DittoHeaderNames.correlationId]: correlationId,
    [DittoHeaderNames.responseRequired]: m.timeoutMs > 0,
    [DittoHeaderNames.timeout]: Number.isInteger(seconds) ? String(seconds) : `${m.timeoutMs}ms`,
  };
  if (value !== undefined) headers[DittoHeaderNames.contentType] = m.contentType ?? 'text/plain';
  const path = m.featureId === undefined ? `/inbox/messages/${m.subject}` : `/features/${m.featureId}/inbox/messages/${m.subject}`;
  const envelope: DittoEnvelope = { topic: buildDittoTopic({ ...m.thingId, group: 'things', channel: 'live', criterion: 'messages', subject: m.subject }), headers, path };
  return value === undefined ? envelope : { ...envelope, value };
}

export interface MessengerOptions {
  readonly link: DeviceLink;
  readonly tenant: string;
  readonly logger: Logger;
  /** A request's answer timeout (unref'd: the open request holds the process, not its timer). */
  readonly scheduler: Scheduler;
  /** True when the store has the Thing (an unknown Thing no device takes is a 404). */
  readonly knows: (thingId: string) => boolean;
  readonly newId?: () => string;
}

export interface Messenger {
  send(res: ServerResponse, m: OutgoingMessage): Promise<void>;
  /** A `command-response` from a device: answers the waiting request with that Hono request ID. */
  onResponse(m: DeviceMessage): void;
  /** Answers every waiting request 503. */
  close(): void;
}

interface Pending {
  readonly res: ServerResponse;
  readonly done: (answer: () => void) => void;
}

export function createMessenger(options: MessengerOptions): Messenger {
  const { link, tenant, logger, scheduler } = options;
  const newId = options.newId ?? randomUUID;
  const pending = new Map<string, Pending>();

  return {
    async send(res, m) {
      const value = messageValue(m.body, m.contentType);
      if (!value.ok) return sendError(res, value.error);
      const correlationId = m.correlationId ?? newId();
      const envelope = buildInboxEnvelope(m, value.value, correlationId);
      // Hono's one-way commands have no request ID; a response is only expected with one.
      const requestId = m.timeoutMs > 0 ? newId() : '';
      const log = logger.child({ correlationId, thingId: m.thingIdText, subject: m.subject });
      let timer: Timer | undefined;
      if (requestId !== '') {
        const done = (answer: () => void) => {
          if (!pending.delete(requestId)) return;
          timer?.cancel();
          answer();
        };
        pending.set(requestId, { res, done });
        timer = scheduler.setTimeout(() => done(() => sendError(res, DittoErrors.messageTimeout(m.timeoutMs / 1000))), m.timeoutMs).unref();
        res.on('close', () => done(() => log.debug('message request gone before the answer')));
      }
      let taken: boolean;
      try {
        taken = await link.sendCommand({ device: { tenant, deviceId: m.thingIdText }, requestId, subject: m.subject, payload: Buffer.from(JSON.stringify(envelope)) });
      } catch (err) {
        log.warn({ err }, 'message not handed to the device side');
        taken = false;
      }
      if (!taken) {
        log.debug('no connected device takes the message');
        const answer = options.knows(m.thingIdText) ? DittoErrors.messageTimeout(m.timeoutMs / 1000) : DittoErrors.thingNotFound(m.thingIdText);
        if (requestId === '') return answer.status === 404 ? sendError(res, answer) : accepted(res);
        return pending.get(requestId)?.done(() => sendError(res, answer));
      }
      if (requestId === '') accepted(res);
    },
    onResponse(m) {
      const waiting = m.requestId === undefined ? undefined : pending.get(m.requestId);
      if (waiting === undefined) {
        logger.debug({ requestId: m.requestId, deviceId: m.device.deviceId }, 'command response for no waiting request');
        return;
      }
      waiting.done(() => answerFromDevice(waiting.res, m));
    },
    close() {
      for (const p of [...pending.values()]) p.done(() => sendError(p.res, DittoErrors.unavailable()));
    },
  };
}

function accepted(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(202).end();
}

/** The device's response envelope as the HTTP answer: its status, its value as the body. */
export function answerFromDevice(res: ServerResponse, m: DeviceMessage): void {
  if (res.headersSent || res.destroyed) return;
  const parsed = parseEnvelope(m.payload);
  if (!parsed.ok) {
    // Not Ditto protocol: pass the bytes on with Hono's status.
    res.writeHead(validStatus(m.status) ?? 200, { 'content-type': 'application/octet-stream' }).end(m.payload);
    return;
  }
  const { status, value, headers } = parsed.envelope;
  const code = validStatus(status) ?? validStatus(m.status) ?? 200;
  const correlation = getHeaderString(headers, DittoHeaderNames.correlationId);
  const extra: Record<string, string> = correlation === undefined ? {} : { 'correlation-id': correlation };
  if (value === undefined || code === 204 || code === 304) {
    res.writeHead(code, extra).end();
    return;
  }
  const ct = getHeaderString(headers, DittoHeaderNames.contentType);
  if (typeof value === 'string' && ct !== undefined && !isJsonContentType(ct)) {
    res.writeHead(code, { ...extra, 'content-type': ct }).end(value);
    return;
  }
  const text = JSON.stringify(value);
  res.writeHead(code, { ...extra, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function validStatus(s: unknown): number | undefined {
  return typeof s === 'number' && Number.isInteger(s) && s >= 200 && s <= 599 ? s : undefined;
}
