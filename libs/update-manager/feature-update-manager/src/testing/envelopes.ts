// The messages the update manager's specs send it and read back, in one place (issue 22): the local API's
// envelope as a spec reads it (the model's Envelope; specs send with the model's `envelope()`) and the Ditto
// messages the connector carries (the UpdateManager feature's inbox requests; its events, outbox messages
// and responses).
import type { Envelope } from '@ledge/shared/model-update';

/** A local API message as a spec reads it back: feedback, current state (fields a spec looks at typed). */
export type LocalEnvelope = Envelope<
  Record<string, unknown> & {
    status?: string;
    message?: string;
    actions?: { component: { id: string }; status: string }[];
    softwareNodes?: { id: string }[];
  }
>;

/** A Ditto protocol message as a spec reads it: a twin event, an outbox message, a response. */
export interface DittoMessage {
  topic: string;
  path: string;
  value: Record<string, unknown>;
  headers: Record<string, unknown>;
  status?: number;
}

/** A published payload as JSON of the shape the spec expects. */
export const readJson = <T>(payload: Buffer | string): T => JSON.parse(payload.toString()) as T;

export interface InboxRequest {
  /** `<namespace>/<name>` of the Thing, e.g. `demo/gw`. */
  readonly thing: string;
  /** The feature operation: apply, refresh, consent… */
  readonly op: string;
  readonly correlationId: string;
  readonly value: unknown;
  /** Headers beside correlation-id and response-required (e.g. content-type). */
  readonly headers?: Record<string, unknown>;
}

/** An UpdateManager inbox message as the connector delivers it on `command///req/<id>/<op>`. */
export const inboxRequest = (r: InboxRequest): string =>
  JSON.stringify({
    topic: `${r.thing}/things/live/messages/${r.op}`,
    headers: { 'correlation-id': r.correlationId, 'response-required': true, ...r.headers },
    path: `/features/UpdateManager/inbox/messages/${r.op}`,
    value: r.value,
  });
