// Containers' logs for file upload's Logs feature, answered on the local bus (fake bus, in-memory runtime
// whose logs are given per test).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLine } from '@ledge/container-management/model-containers';
import { createFakeLocalBus } from '@ledge/shared/data-access-mqtt/testing';
import { ContainerLogsTopics, encodeContainerLogsRequest, parseContainerLogsAnswer, type ContainerLogsAnswer, type ContainerLogsRequest } from '@ledge/shared/model-edge';
import { waitFor } from '@ledge/shared/util/testing';
import { createContainerLogsService, selectLogLines } from './container-logs';
import { managerFixture } from './testing/manager-fixture';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('Z', '123456Z');
const line = (s: number, log: string, stream: LogLine['stream'] = 'stdout'): LogLine => ({ log, stream, time: at(s) }); // json-file's key order
async function* from(lines: LogLine[]): AsyncGenerator<LogLine> {
  yield* lines;
}

describe("containers' logs on the bus", () => {
  it('selects the window, the grep and the newest lines within the byte budget, as json-file lines', async () => {
    const all = [line(0, 'boot\n'), line(10, 'error: a\n', 'stderr'), line(20, 'ok\n'), line(30, 'error: b\n'), line(40, 'error: c\n'), line(99, 'late error\n')];
    const win = { sinceMs: T0 + 10_000, untilMs: T0 + 40_000, lines: 100 };
    assert.deepEqual(await selectLogLines(from(all), win, 1 << 20), all.slice(1, 5).map((l) => JSON.stringify(l)));
    assert.deepEqual((await selectLogLines(from(all), { ...win, grep: 'error' }, 1 << 20)).map((l) => (JSON.parse(l) as LogLine).log), ['error: a\n', 'error: b\n', 'error: c\n']);
    assert.deepEqual((await selectLogLines(from(all), { ...win, grep: 'error', lines: 2 }, 1 << 20)).map((l) => (JSON.parse(l) as LogLine).log), ['error: b\n', 'error: c\n']);
    const one = JSON.stringify(all[4]).length + 1;
    assert.deepEqual((await selectLogLines(from(all), win, one)).map((l) => (JSON.parse(l) as LogLine).log), ['error: c\n'], 'the budget keeps the newest');
    assert.deepEqual(await selectLogLines(from([{ stream: 'stdout', time: 'not a time', log: 'x' }]), win, 1 << 20), []);
    const many = Array.from({ length: 20_000 }, (_, i) => line(20, `${i}\n`));
    const last = await selectLogLines(from(many), { ...win, lines: 3 }, 1 << 20);
    assert.deepEqual(last.map((l) => (JSON.parse(l) as LogLine).log), ['19997\n', '19998\n', '19999\n']);
  });

  it('answers a request on its own topic: chunks per container, then the end naming what each gave', async (t) => {
    const f = await managerFixture(t);
    const lines = [line(1, 'hello\n'), line(2, 'x'.repeat(100_000)), line(3, 'y'.repeat(100_000)), line(4, 'z'.repeat(100_000)), line(5, 'bye\n')];
    const web = await f.manager.create(f.config('web', 'img/web:1'), { named: true, start: false });
    const runtime = { ...f.runtime, logs: (id: string) => from(id === web.runtimeId || id === web.id ? lines : []) };
    const bus = createFakeLocalBus();
    const cm = bus.createClient({ clientId: 'ledge-container-management' });
    const asker = bus.createClient({ clientId: 'ledge-file-upload' });
    await Promise.all([cm.start(), asker.start()]);
    const service = createContainerLogsService({ bus: cm, manager: f.manager, runtime, logger: f.log.logger });
    await service.start();
    t.after(() => service.close());
    const answers: ContainerLogsAnswer[] = [];
    asker.onMessage(ContainerLogsTopics.responses, (_t, p) => {
      const a = parseContainerLogsAnswer(p);
      assert.ok(a.ok, JSON.stringify(a));
      answers.push(a.answer);
    });
    await asker.subscribe('edge/containers/logs/response/r1', { qos: 1 });
    const req: ContainerLogsRequest = { requestId: 'r1', containers: ['web', 'nope'], sinceMs: T0, untilMs: T0 + 60_000, lines: 1000, maxBytes: 1 << 20 };
    await asker.publish(ContainerLogsTopics.request, encodeContainerLogsRequest(req), { qos: 1 });
    await waitFor(() => answers.some((a) => a.kind === 'end'), 5000, 'the end');
    const chunks = answers.filter((a) => a.kind === 'chunk');
    assert.ok(chunks.length >= 2, `${chunks.length} chunks: 300 KB of lines do not fit one`);
    assert.deepEqual(chunks.flatMap((c) => c.lines).map((l) => (JSON.parse(l) as LogLine).log), lines.map((l) => l.log));
    assert.deepEqual(answers.at(-1), { kind: 'end', results: { web: { lines: 5 }, nope: { lines: 0, error: 'no such container' } } });

    // a malformed request is logged, not answered
    await asker.publish(ContainerLogsTopics.request, '{"requestId":"r2","containers":[]}', { qos: 1 });
    await waitFor(() => f.log.lines.some((l) => l['msg'] === 'container logs request refused'), 5000, 'the refusal logged');
  });
});
