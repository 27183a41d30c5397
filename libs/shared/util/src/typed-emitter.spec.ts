import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedEmitter } from './typed-emitter';

describe('TypedEmitter', () => {
  it('isolates throwing and rejecting listeners and supports once/off', async () => {
    const errors: unknown[] = [];
    const e = new TypedEmitter<{ tick: [n: number] }>((err) => void errors.push(err));
    const got: number[] = [];
    e.on('tick', () => {
      throw new Error('sync');
    });
    e.on('tick', async () => {
      throw new Error('async');
    });
    e.once('tick', (n) => void got.push(-n));
    const l = (n: number) => void got.push(n);
    e.on('tick', l);
    assert.equal(e.emit('tick', 1), true);
    e.off('tick', l);
    e.emit('tick', 2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [-1, 1]);
    assert.deepEqual(errors.map((x) => (x as Error).message).sort(), ['async', 'async', 'sync', 'sync']);
    assert.equal(e.listenerCount('tick'), 2);
  });

  it('names the event of a failed listener; emit without listeners is false; removeAllListeners empties it', () => {
    const failed: unknown[] = [];
    const e = new TypedEmitter<{ a: []; b: [s: string] }>((_err, event) => void failed.push(event));
    assert.equal(e.emit('a'), false);
    e.on('b', () => {
      throw new Error('b');
    });
    e.on('a', () => void e.on('a', () => void failed.push('added during emit')));
    assert.doesNotThrow(() => e.emit('b', 'x'));
    e.emit('a');
    assert.deepEqual(failed, ['b'], 'a listener added during emit waits for the next one');
    e.removeAllListeners();
    assert.equal(e.listenerCount('a') + e.listenerCount('b'), 0);
    assert.equal(e.emit('b', 'y'), false);
  });
});
