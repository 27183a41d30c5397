// Device → twin updates (§3.1): `<ns>/<name>/things/twin/commands/modify|delete`, response-required false,
// published as Hono events.
import type { DittoEnvelope } from './envelope';
import { DittoHeaderNames, type DittoHeaders } from './headers';
import type { ThingId } from './thing-id';
import { buildDittoTopic, DittoCommandActions, type DittoCommandAction } from './topic';

export interface TwinModifyOptions {
  readonly thingId: ThingId;
  /** e.g. `/features/<F>`, `/features/<F>/properties/status`, `/attributes/...`. */
  readonly path: string;
  readonly value: unknown;
  /** Extra headers (e.g. a correlation-id); `response-required` is always false. */
  readonly headers?: DittoHeaders;
}

export type TwinDeleteOptions = Omit<TwinModifyOptions, 'value'>;

export function buildTwinModify(options: TwinModifyOptions): DittoEnvelope {
  return { ...twinCommand(options, DittoCommandActions.modify), value: options.value };
}

export function buildTwinDelete(options: TwinDeleteOptions): DittoEnvelope {
  return twinCommand(options, DittoCommandActions.delete);
}

function twinCommand(options: TwinDeleteOptions, action: DittoCommandAction): DittoEnvelope {
  const { thingId, path, headers } = options;
  return {
    topic: buildDittoTopic({ ...thingId, group: 'things', channel: 'twin', criterion: 'commands', action }),
    headers: { ...headers, [DittoHeaderNames.responseRequired]: false },
    path,
  };
}
