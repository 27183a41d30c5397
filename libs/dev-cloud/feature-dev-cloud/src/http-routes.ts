// The routes of Ditto's HTTP API 2 the development cloud serves (issue 24), with Ditto's paths, payloads and
// statuses: GET /api/2/things[?ids=&fields=] (SSE with Accept: text/event-stream), GET of a Thing and its
// sub-resources, POST of messages to a Thing's or a Feature's inbox, SSE of live messages from outboxes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DittoErrors, parseFields, publicThing, readPath, selectFields, type Thing, type TwinState } from '@ledge/dev-cloud/model-dev-cloud';
import { getHeaderString, parseThingId } from '@ledge/shared/model-ditto';
import { readBody, sendError, sendJson, wantsEventStream } from './http-io';
import { parseMessageTimeout, type Messenger } from './messages';
import type { SseHub } from './sse';

export interface RouteDeps {
  readonly state: () => TwinState;
  readonly hub: SseHub;
  readonly messenger: Messenger;
  readonly maxBodyBytes: number;
}

const MAX_IDS = 1000;

/** Serves one request whose path is under /api/2/. */
export async function routeDitto(req: IncomingMessage, res: ServerResponse, url: URL, deps: RouteDeps): Promise<void> {
  const segments = decodeSegments(url.pathname);
  if (segments === undefined) return sendError(res, DittoErrors.pointerInvalid(`The path '${url.pathname}' is not valid percent-encoding.`));
  const [group, thingIdText, ...rest] = segments;
  if (group !== 'things') return sendError(res, DittoErrors.notFound(url.pathname));
  if (thingIdText === undefined) return req.method === 'GET' ? things(req, res, url, deps) : sendError(res, DittoErrors.methodNotAllowed(req.method ?? ''));
  const id = parseThingId(thingIdText);
  if (!id.ok) return sendError(res, DittoErrors.thingIdInvalid(thingIdText));
  const message = messageRoute(rest);
  if (message !== undefined) {
    if (message.box === 'inbox' && req.method === 'POST') {
      if (message.subject === '') return sendError(res, DittoErrors.subjectInvalid(''));
      const timeout = parseMessageTimeout(url.searchParams.get('timeout') ?? headerOf(req, 'timeout'));
      if (!timeout.ok) return sendError(res, timeout.error);
      const body = await readBody(req, deps.maxBodyBytes);
      if (!body.ok) return sendError(res, body.error, { connection: 'close' });
      const correlationId = headerOf(req, 'correlation-id');
      return deps.messenger.send(res, {
        thingId: id.thingId,
        thingIdText,
        subject: message.subject,
        body: body.body,
        timeoutMs: timeout.ms,
        ...(message.featureId === undefined ? {} : { featureId: message.featureId }),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        ...(correlationId ? { correlationId } : {}),
      });
    }
    if (message.box === 'outbox' && req.method === 'GET' && wantsEventStream(req)) {
      const ok = deps.hub.openMessages(req, res, { thingId: thingIdText, ...(message.featureId === undefined ? {} : { featureId: message.featureId }), ...(message.subject === '' ? {} : { subject: message.subject }) });
      return ok ? undefined : sendError(res, DittoErrors.unavailable());
    }
    return sendError(res, DittoErrors.methodNotAllowed(req.method ?? ''));
  }
  if (req.method !== 'GET') return sendError(res, DittoErrors.methodNotAllowed(req.method ?? ''));
  if (rest.length === 0 && wantsEventStream(req)) return openTwinStream(req, res, url, deps, new Set([thingIdText]));
  const thing = deps.state().things[thingIdText];
  if (thing === undefined || !Object.hasOwn(deps.state().things, thingIdText)) return sendError(res, DittoErrors.thingNotFound(thingIdText));
  const read = readPath(thing, rest);
  if (!read.ok) return sendError(res, read.error);
  const fields = fieldsParam(url, 'fields');
  if (!fields.ok) return sendError(res, fields.error);
  if (fields.fields === undefined) return sendJson(res, 200, read.value);
  // With fields, Ditto also offers the bookkeeping fields (_revision, _created, _modified) of the Thing.
  return sendJson(res, 200, selectFields(rest.length === 0 ? thing : read.value, fields.fields));
}

/** GET /api/2/things: the Things (all, or those of `ids`), or the SSE stream of their changes. */
function things(req: IncomingMessage, res: ServerResponse, url: URL, deps: RouteDeps): void {
  const idsParam = url.searchParams.get('ids');
  const ids = idsParam === null ? undefined : idsParam.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids !== undefined && ids.length > MAX_IDS) return sendError(res, DittoErrors.jsonInvalid(`At most ${MAX_IDS} ids.`));
  if (wantsEventStream(req)) return openTwinStream(req, res, url, deps, ids === undefined ? undefined : new Set(ids));
  const fields = fieldsParam(url, 'fields');
  if (!fields.ok) return sendError(res, fields.error);
  const all = deps.state().things;
  const list: Thing[] = ids === undefined ? Object.values(all) : ids.filter((id) => Object.hasOwn(all, id)).map((id) => all[id]!);
  sendJson(res, 200, list.map((t) => (fields.fields === undefined ? publicThing(t) : selectFields(t, fields.fields))));
}

function openTwinStream(req: IncomingMessage, res: ServerResponse, url: URL, deps: RouteDeps, ids: ReadonlySet<string> | undefined): void {
  const fields = fieldsParam(url, 'fields');
  if (!fields.ok) return sendError(res, fields.error);
  const extra = fieldsParam(url, 'extraFields');
  if (!extra.ok) return sendError(res, extra.error);
  const ok = deps.hub.openTwin(req, res, {
    ...(ids === undefined ? {} : { ids }),
    ...(fields.fields === undefined ? {} : { fields: fields.fields }),
    ...(extra.fields === undefined ? {} : { extraFields: extra.fields }),
  });
  if (!ok) sendError(res, DittoErrors.unavailable());
}

type FieldsResult = { ok: true; fields?: readonly (readonly string[])[] } | { ok: false; error: ReturnType<typeof DittoErrors.jsonInvalid> };

function fieldsParam(url: URL, name: string): FieldsResult {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return { ok: true };
  const parsed = parseFields(raw);
  return parsed.ok ? { ok: true, fields: parsed.fields } : { ok: false, error: DittoErrors.jsonInvalid(`The field selector '${raw}' is not valid: ${parsed.problem}`) };
}

interface MessageRoute {
  readonly box: 'inbox' | 'outbox';
  readonly featureId?: string;
  /** '' when the path ends at `messages`. */
  readonly subject: string;
}

/** `inbox|outbox/messages[/<subject...>]` on the Thing or under `features/<f>/`; undefined for other paths. */
export function messageRoute(rest: readonly string[]): MessageRoute | undefined {
  const tail = rest[0] === 'features' && rest.length >= 4 ? rest.slice(2) : rest;
  const [box, messages, ...subject] = tail;
  if ((box !== 'inbox' && box !== 'outbox') || messages !== 'messages') return undefined;
  return { box, subject: subject.join('/'), ...(tail === rest ? {} : { featureId: rest[1]! }) };
}

/** `/api/2/things/a%3Ab/x` → ['things', 'a:b', 'x']; undefined on bad percent-encoding or empty levels. */
function decodeSegments(pathname: string): string[] | undefined {
  const raw = pathname.replace(/^\/api\/2\/?/, '').replace(/\/$/, '');
  if (raw === '') return [];
  try {
    const out = raw.split('/').map((s) => decodeURIComponent(s));
    return out.includes('') ? undefined : out;
  } catch {
    return undefined;
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  return getHeaderString(req.headers as Record<string, string>, name);
}
