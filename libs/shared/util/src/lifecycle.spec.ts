import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createCloser, onlyOnce, runMain } from './lifecycle';
import { createBackoff } from './backoff';
import { captureLogger } from './testing/capture-logger';

describe('createCloser', () => {
  it('closes in reverse order, once, and survives a failing step', async () => {
    const order: string[] = [];
    const { logger, lines } = captureLogger();
    const closer = createCloser(logger);
    closer.add('a', () => void order.push('a'));
    closer.add('b', () => {
      order.push('b');
      throw new Error('boom');
    });
    closer.add('c', async () => void order.push('c'));
    await Promise.all([closer.close(), closer.close()]);
    await closer.close();
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.ok(lines.some((l) => l['msg'] === 'close step failed' && l['step'] === 'b'));
  });

  it('onlyOnce shares the first promise', async () => {
    let n = 0;
    const f = onlyOnce(async () => ++n);
    assert.deepEqual(await Promise.all([f(), f()]), [1, 1]);
  });
});

class FakeProc extends EventEmitter {
  codes: number[] = [];
  exit(code: number) {
    this.codes.push(code);
  }
}

describe('runMain', () => {
  it('closes on SIGTERM and exits 0', async () => {
    const proc = new FakeProc();
    let closed = 0;
    await runMain({ logger: captureLogger().logger, app: { start: async () => undefined, close: async () => void closed++ }, proc });
    proc.emit('SIGTERM');
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, 1);
    assert.deepEqual(proc.codes, [0]);
  });

  it('a second signal forces exit 1', async () => {
    const proc = new FakeProc();
    await runMain({ logger: captureLogger().logger, app: { start: async () => undefined, close: () => new Promise(() => undefined) }, proc });
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    assert.deepEqual(proc.codes, [1]);
  });

  it('the deadline forces exit 1 when close hangs', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const proc = new FakeProc();
    await runMain({ logger: captureLogger().logger, app: { start: async () => undefined, close: () => new Promise(() => undefined) }, proc, deadlineMs: 500 });
    proc.emit('SIGTERM');
    t.mock.timers.tick(499);
    assert.deepEqual(proc.codes, []);
    t.mock.timers.tick(1);
    assert.deepEqual(proc.codes, [1]);
  });

  it('a failing start closes the app and exits 1', async () => {
    const proc = new FakeProc();
    let closed = false;
    await runMain({
      logger: captureLogger().logger,
      app: { start: async () => Promise.reject(new Error('port in use')), close: async () => void (closed = true) },
      proc,
    });
    assert.equal(closed, true);
    assert.deepEqual(proc.codes, [1]);
  });

  it('a one-shot app: finished resolved → closed, exit 0; rejected → logged, closed, exit 1', async () => {
    for (const [outcome, code] of [['ok', 0], ['fail', 1]] as const) {
      const proc = new FakeProc();
      let closed = 0;
      let settle!: { resolve: () => void; reject: (e: Error) => void };
      const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const log = captureLogger();
      await runMain({ logger: log.logger, app: { start: async () => undefined, close: async () => void closed++, finished }, proc, notifier: undefined });
      assert.deepEqual(proc.codes, [], 'runs until finished');
      if (outcome === 'ok') settle.resolve();
      else settle.reject(new Error('3 requests failed'));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      assert.equal(closed, 1, outcome);
      assert.deepEqual(proc.codes, [code], outcome);
      if (outcome === 'fail') assert.ok(log.lines.some((l) => l['msg'] === 'gave up'));
    }
  });
});

describe('createBackoff', () => {
  it('grows exponentially, is capped and jittered within bounds, and resets', () => {
    const lo = createBackoff({ initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.25, random: () => 0 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => lo.next()), [75, 150, 300, 600, 750, 750]);
    const hi = createBackoff({ initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.25, random: () => 1 });
    assert.deepEqual([1, 2, 3, 4, 5].map(() => hi.next()), [125, 250, 500, 1000, 1250]);
    hi.reset();
    assert.equal(hi.attempts, 0);
    assert.equal(hi.next(), 125);
  });
});
