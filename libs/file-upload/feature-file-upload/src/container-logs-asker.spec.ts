// Asking container management for containers' logs on the bus (fake bus; a scripted answerer stands in for
// container management, whose side has its own spec and meets this one in the whole-stack suite).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { ContainerLogsTopics, encodeContainerLogsAnswer, parseContainerLogsRequest, type ContainerLogsRequest } from '@ledge/shared/model-edge';
import { captureLogger } from '@ledge/shared/util/testing';
import { ContainerLogsUnavailableError, createContainerLogsAsker } from './container-logs-asker';

const ask = { containers: ['web', 'db'], sinceMs: 0, untilMs: 1000, lines: 10, maxBytes: 1 << 20 };

async function setup(answer?: (req: ContainerLogsRequest, reply: (payload: string) => void) => void) {
  const bus = createFakeLocalBus();
  const fu = bus.createClient({ clientId: 'ledge-file-upload' });
  const cm = bus.createClient({ clientId: 'ledge-container-management' });
  await Promise.all([fu.start(), cm.start()]);
  const requests: ContainerLogsRequest[] = [];
  if (answer) {
    cm.onMessage(ContainerLogsTopics.request, (_t, p) => {
      const r = parseContainerLogsRequest(p);
      assert.ok(r.ok);
      requests.push(r.request);
      answer(r.request, (payload) => void cm.publish(`${ContainerLogsTopics.responsePrefix}${r.request.requestId}`, payload, { qos: 1 }));
    });
    await cm.subscribe(ContainerLogsTopics.request, { qos: 1 });
  }
  return { bus, fu, requests };
}

describe("asking container management for containers' logs", () => {
  it('gathers the chunks in order until the end; errors per container; malformed answers dropped', async () => {
    const { fu, requests, bus } = await setup((req, reply) => {
      reply(encodeContainerLogsAnswer({ kind: 'chunk', container: 'web', lines: ['a', 'b'] }));
      reply('{"container":5}');
      reply(encodeContainerLogsAnswer({ kind: 'chunk', container: 'web', lines: ['c'] }));
      reply(encodeContainerLogsAnswer({ kind: 'chunk', container: 'other', lines: ['not asked'] }));
      reply(encodeContainerLogsAnswer({ kind: 'end', results: { web: { lines: 3 }, db: { lines: 0, error: 'no such container' } } }));
      assert.equal(req.grep, undefined);
    });
    const logs = await createContainerLogsAsker({ bus: fu, logger: captureLogger().logger, newId: () => 'r-1' })(ask);
    assert.deepEqual(logs, { lines: { web: ['a', 'b', 'c'], db: [] }, errors: { db: 'no such container' } });
    assert.deepEqual(requests, [{ ...ask, requestId: 'r-1' }]);
    await bus.flush();
    assert.equal(bus.published.filter((p) => p.topic === ContainerLogsTopics.request).length, 1);
  });

  it('an end that leaves a container out names it', async () => {
    const { fu } = await setup((_req, reply) => reply(encodeContainerLogsAnswer({ kind: 'end', results: { web: { lines: 0 } } })));
    const logs = await createContainerLogsAsker({ bus: fu, logger: captureLogger().logger })(ask);
    assert.deepEqual(logs.errors, { db: 'no answer for this container' });
  });

  it('no answer within the idle time: an error saying container management did not answer', async () => {
    const { fu } = await setup();
    await assert.rejects(createContainerLogsAsker({ bus: fu, logger: captureLogger().logger, idleMs: 50 })(ask), (err: Error) => err instanceof ContainerLogsUnavailableError && /did not answer/.test(err.message));
  });

  it('an abort ends the wait', async () => {
    const { fu } = await setup();
    const abort = new AbortController();
    const pending = createContainerLogsAsker({ bus: fu, logger: captureLogger().logger })(ask, abort.signal);
    abort.abort();
    await assert.rejects(pending, /aborted/);
  });
});
