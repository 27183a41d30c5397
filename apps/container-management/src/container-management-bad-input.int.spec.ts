// container-management refuses bad input over the real bus (§3.1, §8): payloads that are not a Ditto
// envelope, envelopes with a malformed topic or path, wrong-typed values for the factory and for a
// container. Each is refused with the spec's status (or, with nothing to address, logged) and the
// daemon keeps serving; nothing is created or changed. Same real-process stack as the Kanto suite.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { waitFor } from '@ledge/shared/util/testing';
import { DITTO_TOPIC_PREFIX, THING, type CmStack } from './testing/cm-stack';
import { assertDittoError, kantoFixture, skipWithoutContainerd, taskStatus, UUID_RE } from './testing/kanto-fixture';

describe('container-management: malformed and wrong-typed requests over the real bus', { timeout: 180_000, skip: skipWithoutContainerd }, () => {
  const k = kantoFixture('ledge-bad-input');
  let s: CmStack;
  before(() => {
    s = k.s;
  });
  const { sleeper, eventsAt } = k;

  it('payloads that are not a Ditto envelope get no response (nothing to address), are logged at debug with the problem, and the daemon keeps serving', async () => {
    const bad: [string, RegExp][] = [
      ['{not json', /payload is not valid JSON/],
      ['[1,2,3]', /envelope must be a JSON object/],
      ['"create"', /envelope must be a JSON object/],
      [JSON.stringify({ path: '/features/ContainerFactory/inbox/messages/create', value: { imageRef: s.reg.singleRef } }), /"topic" must be a non-empty string/],
    ];
    const reqs: [string, RegExp][] = [];
    for (const [payload, problem] of bad) reqs.push([await s.send('create', payload), problem]);
    for (const [req, problem] of reqs) {
      const line = await s.cm.waitForLog((l) => l['msg'] === 'command ignored' && String(l['topic']) === `command//${THING}/req/${req}/create`, 5_000);
      assert.equal(line['level'], 'debug');
      assert.match(String(line['reason']), problem);
    }
    // A request after them is answered: commands are handled in order, so a response to any of them would
    // have come ahead of this one.
    assert.equal((await s.call('Metrics', 'request', { frequency: '0s' })).status, 204, 'a valid request after the garbage is served');
    for (const [req] of reqs) assert.equal(s.reply(req), undefined, `no response to ${req}`);
    assert.equal(s.cm.child.exitCode, null, 'daemon alive');
  });

  it("envelopes naming no feature of container-management (no path, a malformed topic, another app's feature) get no answer from it (Kanto's dispatch rule)", async () => {
    const envelope = (topic: string, path: string | undefined, cid: string) => JSON.stringify({ topic, headers: { 'correlation-id': cid, 'response-required': true }, ...(path === undefined ? {} : { path }), value: {} });
    const reqs = [
      await s.send('create', envelope(`${DITTO_TOPIC_PREFIX}/create`, undefined, 'no-path')),
      await s.send('create', envelope('nonsense', '/features/ContainerFactory/inbox/messages/create', 'bad-topic')),
      await s.send('start', envelope(`${DITTO_TOPIC_PREFIX}/start`, '/features/NoSuchFeature/inbox/messages/start', 'other-feature')),
    ];
    // A request after them is answered: commands are handled in order, so the three had their turn.
    assert.equal((await s.call('Metrics', 'request', { frequency: '0s' })).status, 204);
    for (const req of reqs) assert.equal(s.reply(req), undefined, `no response to ${req}`);
  });

  it('envelopes for its own feature with a non-inbox path → 400 parameter.invalid with the correlation-id', async () => {
    const envelope = (path: string) => JSON.stringify({ topic: `${DITTO_TOPIC_PREFIX}/create`, headers: { 'correlation-id': 'bad-env', 'response-required': true }, path, value: {} });
    for (const payload of [envelope('/features/ContainerFactory/outbox/messages/create'), envelope('/features/ContainerFactory/properties/x')]) {
      const req = await s.send('create', payload);
      const r = await waitFor(() => s.reply(req), 10_000, `response to ${req}`);
      assertDittoError(r, 400, 'messages:parameter.invalid');
      assert.equal(r.env.headers?.['correlation-id'], 'bad-env');
    }
  });

  it('wrong-typed factory values → 400 naming the field; nothing is created; a valid create still works', async (t) => {
    const ref = s.reg.singleRef;
    const before = s.liveIds().length;
    const cases: [string, unknown, RegExp][] = [
      ['create', undefined, /value: must be an object with imageRef/],
      ['create', 'garbage', /value: must be an object/],
      ['create', { start: true }, /imageRef: is required/],
      ['create', { imageRef: 42 }, /imageRef: must be a string/],
      ['create', { imageRef: ref, start: 'yes' }, /start: must be a boolean/],
      ['createWithConfig', { imageRef: ref, name: 'bad name!' }, /name: invalid container name/],
      ['createWithConfig', { imageRef: ref, config: 'none' }, /config: must be an object/],
      ['createWithConfig', { imageRef: ref, config: { cmd: '/bin/sh -c true' } }, /config.cmd: must be an array of strings/],
      ['createWithConfig', { imageRef: ref, config: { privileged: 'true' } }, /config.privileged: must be a boolean/],
      ['createWithConfig', { imageRef: ref, config: { portMappings: [{ containerPort: '80', hostPort: 8080 }] } }, /config.portMappings\[0\]/],
      ['createWithConfig', { imageRef: ref, config: { resources: { memory: 'lots' } } }, /config.resources.memory/],
    ];
    for (const [op, value, message] of cases) assertDittoError(await s.call('ContainerFactory', op, value), 400, 'messages:parameter.invalid', message);
    assertDittoError(await s.call('ContainerFactory', 'destroy', {}), 404, 'messages:subject.notfound', /operation 'destroy' is not supported/);
    assert.equal(s.liveIds().length, before, 'no container created');
    assert.match(await sleeper(t, 'kanto-after-garbage', false), UUID_RE);
  });

  it('wrong-typed instance values → 400, unknown container or operation → 404; the container is untouched and still obeys', async (t) => {
    const id = await sleeper(t, 'kanto-bad-values');
    const f = `Container:${id}`;
    await s.waitState(id, 'RUNNING');
    const cases: [string, unknown, RegExp][] = [
      ['rename', 42, /invalid container name 42/],
      ['rename', '', /invalid container name ""/],
      ['remove', 'yes', /value must be a boolean \(force\)/],
      ['stopWithOptions', { timeout: 'soon' }, /timeout: must be a number of seconds/],
      ['stopWithOptions', { signal: 'SIGWHAT!' }, /signal: invalid signal/],
      ['stopWithOptions', 'SIGINT', /value: must be an object/],
      ['update', 'ALWAYS', /value: must be an object/],
      ['update', { restartPolicy: 'ALWAYS' }, /restartPolicy: must be an object/],
    ];
    for (const [op, value, message] of cases) assertDittoError(await s.call(f, op, value), 400, 'messages:parameter.invalid', message);
    assertDittoError(await s.call('Container:NonExistingContainer', 'start', {}), 404, 'messages:subject.notfound', /container with ID = NonExistingContainer does not exist/);
    assertDittoError(await s.call(f, 'explode', {}), 404, 'messages:subject.notfound', /operation 'explode' is not supported/);
    assert.deepEqual(s.states(id).map((x) => x.status), ['RUNNING'], 'no state change from refused requests');
    assert.equal(eventsAt(`/features/Container:${id}/properties/status/name`).length, 0, 'no rename');
    assert.equal(eventsAt(`/features/Container:${id}/properties/status/config`).length, 0, 'no update');
    assert.equal(taskStatus(s, id), 'RUNNING');
    assert.equal(s.cm.child.exitCode, null, 'daemon alive');
    assert.equal((await s.call(f, 'stop', {})).status, 204);
    await s.waitState(id, 'STOPPED');
  });
});
