import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  commandTopic,
  errorsTopic,
  eventTopic,
  isOwnThing,
  localEventTopic,
  localResponseTopic,
  twinErrorResponse,
  twinEvent,
  uplinkTopic,
  withHeader,
} from './twin-messages';
import { TwinErrorCodes, twinError } from './twin-errors';

const ctx = { deviceId: 'org.eclipse.kanto:test', tenantId: 't1' };
const CHILD = 'org.eclipse.kanto:test:edge:containers';

describe('twin topics (Kanto local-digital-twins)', () => {
  const table: Array<[string, string, string]> = [
    [localResponseTopic(ctx, ctx.deviceId, 'modify'), 'command///req//modify-response', 'gateway response'],
    [localResponseTopic(ctx, CHILD, 'errors'), `command//${CHILD}/req//errors-response`, 'child error response'],
    [localEventTopic(ctx, ctx.deviceId, 'created'), 'command///req//created', 'gateway event'],
    [localEventTopic(ctx, CHILD, 'deleted'), `command//${CHILD}/req//deleted`, 'child event'],
    [uplinkTopic(ctx, ctx.deviceId), 'e', 'gateway uplink'],
    [uplinkTopic(ctx, CHILD), `e/t1/${CHILD}`, 'child uplink'],
    [commandTopic(CHILD, 'retrieve'), 'org.eclipse.kanto/test:edge:containers/things/twin/commands/retrieve', 'command'],
    [eventTopic(ctx.deviceId, 'merged'), 'org.eclipse.kanto/test/things/twin/events/merged', 'event'],
    [errorsTopic('_:_'), '_/_/things/twin/errors', 'search errors'],
  ];
  for (const [actual, expected, name] of table) it(name, () => assert.equal(actual, expected));

  it('own things: the gateway and its <deviceId>: children only', () => {
    assert.equal(isOwnThing(ctx, ctx.deviceId), true);
    assert.equal(isOwnThing(ctx, CHILD), true);
    assert.equal(isOwnThing(ctx, 'org.eclipse.kanto:testing'), false);
    assert.equal(isOwnThing(ctx, 'org.eclipse.kanto:test:'), false);
    assert.equal(isOwnThing(ctx, 'org.eclipse.kanto:other'), false);
  });
});

describe('twin envelopes', () => {
  it('an error response: errors topic, path /, the error\'s status, the correlation-id kept', () => {
    const command = { topic: 'org.eclipse.kanto/test/things/twin/commands/retrieve', headers: { 'correlation-id': 'x', 'reply-to': 'r' }, path: '/features/f' };
    const error = twinError(TwinErrorCodes.featureNotFound, 'm');
    assert.deepEqual(twinErrorResponse(command, ctx.deviceId, error), {
      topic: 'org.eclipse.kanto/test/things/twin/errors',
      headers: { 'correlation-id': 'x', 'content-type': 'application/json' },
      path: '/',
      value: { status: 404, error: 'things:feature.notfound', message: 'm' },
      status: 404,
    });
  });

  it('an event keeps the command\'s content type and adds extra headers', () => {
    const e = twinEvent({ thingId: ctx.deviceId, action: 'merged', path: '/attributes', value: { a: null }, timestamp: 't', headers: { 'Content-Type': 'application/merge-patch+json' }, extraHeaders: { 'ledge-sync-conflict': 'cloud' } });
    assert.deepEqual(e.headers, { 'response-required': false, 'content-type': 'application/merge-patch+json', 'ledge-sync-conflict': 'cloud' });
    assert.equal(e.revision, undefined);
  });

  it('withHeader replaces every spelling of a header', () => {
    assert.deepEqual(withHeader({ 'Response-Required': true, a: 1 }, 'response-required', false), { a: 1, 'response-required': false });
  });
});
