import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DittoEnvelope } from './envelope';
import { createDittoError, DittoErrorCodes, isDittoErrorValue } from './errors';
import { isResponseRequired } from './headers';
import { buildLiveMessage } from './live-message';
import { buildErrorResponse, buildResponse, shouldRespond } from './response';
import { buildTwinDelete, buildTwinModify } from './twin-command';

const dev = { namespace: 'demo', name: 'device' };
const request: DittoEnvelope = {
  topic: 'demo/device:edge:containers/things/live/messages/create',
  headers: { 'correlation-id': 'c-1', 'response-required': true, 'reply-to': 'command/demo', timeout: '60s' },
  path: '/features/ContainerFactory/inbox/messages/create',
  value: { imageRef: 'docker.io/library/hello-world:latest', start: true },
};

describe('twin commands (§3.1)', () => {
  it('builds a modify with response-required false', () => {
    const env = buildTwinModify({ thingId: dev, path: '/features/Metrics', value: { definition: ['x'], properties: {} } });
    assert.equal(
      JSON.stringify(env),
      '{"topic":"demo/device/things/twin/commands/modify","headers":{"response-required":false},' +
        '"path":"/features/Metrics","value":{"definition":["x"],"properties":{}}}',
    );
  });

  it('builds a delete without value and cannot be talked into response-required', () => {
    const env = buildTwinDelete({ thingId: dev, path: '/features/Container:x', headers: { 'response-required': true, a: 'b' } });
    assert.deepEqual(env, {
      topic: 'demo/device/things/twin/commands/delete',
      headers: { 'response-required': false, a: 'b' },
      path: '/features/Container:x',
    });
  });
});

describe('live messages (§3.1)', () => {
  it('sends outbox messages device → cloud', () => {
    const env = buildLiveMessage({ thingId: dev, featureId: 'Metrics', subject: 'data', value: { timestamp: 1 } });
    assert.deepEqual(env, {
      topic: 'demo/device/things/live/messages/data',
      headers: { 'response-required': false, 'content-type': 'application/json' },
      path: '/features/Metrics/outbox/messages/data',
      value: { timestamp: 1 },
    });
    const consent = buildLiveMessage({
      thingId: dev,
      featureId: 'UpdateManager',
      subject: 'consent',
      responseRequired: true,
      headers: { 'correlation-id': 'k' },
    });
    assert.deepEqual(consent.headers, { 'response-required': true, 'correlation-id': 'k' });
    assert.equal(Object.hasOwn(consent, 'value'), false);
  });
});

describe('responses (§3.1)', () => {
  it('answers 200 with value on the outbox path, same topic and correlation-id', () => {
    assert.equal(
      JSON.stringify(buildResponse(request, { value: 'a-uuid' })),
      '{"topic":"demo/device:edge:containers/things/live/messages/create",' +
        '"headers":{"correlation-id":"c-1","content-type":"application/json"},' +
        '"path":"/features/ContainerFactory/outbox/messages/create","value":"a-uuid","status":200}',
    );
  });

  it('answers 204 without value or content-type', () => {
    assert.deepEqual(buildResponse(request), {
      topic: request.topic,
      headers: { 'correlation-id': 'c-1' },
      path: '/features/ContainerFactory/outbox/messages/create',
      status: 204,
    });
  });

  const errorCases: Array<[keyof typeof DittoErrorCodes, number, string]> = [
    ['parameterInvalid', 400, 'messages:parameter.invalid'],
    ['subjectNotFound', 404, 'messages:subject.notfound'],
    ['executionFailed', 500, 'messages:execution.failed'],
  ];
  for (const [key, status, code] of errorCases) {
    it(`builds a ${status} ${code} error response`, () => {
      const env = buildErrorResponse(request, { code: DittoErrorCodes[key], message: 'nope' });
      assert.equal(env.status, status);
      assert.deepEqual(env.value, { status, error: code, message: 'nope' });
      assert.equal(env.headers['content-type'], 'application/json');
      assert.ok(isDittoErrorValue(env.value));
    });
  }

  it('recognises error values', () => {
    assert.ok(isDittoErrorValue(createDittoError('messages:subject.notfound', 'x')));
    assert.equal(isDittoErrorValue({ status: '400', error: 'e', message: 'm' }), false);
    assert.equal(isDittoErrorValue(null), false);
  });
});

describe('shouldRespond (§3.1)', () => {
  const cases: Array<[string, DittoEnvelope['headers'], boolean, boolean]> = [
    ['default', {}, true, true],
    ['response-required true', { 'response-required': true }, true, true],
    ['response-required false', { 'response-required': false }, true, false],
    ['response-required "false"', { 'response-required': 'false' }, true, false],
    ['Response-Required "FALSE"', { 'Response-Required': 'FALSE' }, true, false],
    ['one-way (empty request ID)', { 'response-required': true }, false, false],
  ];
  for (const [name, headers, hasReqId, expected] of cases) {
    it(name, () => {
      assert.equal(shouldRespond({ ...request, headers }, hasReqId), expected);
      assert.equal(isResponseRequired(headers), expected || !hasReqId);
    });
  }
});
