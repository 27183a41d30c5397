import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger';
import { createSystemdNotifier, type SystemdNotifierOptions } from './systemd-notify';
import { captureLogger } from './testing';

const logger = createLogger({ name: 'test', level: 'silent' });

function fakes(env: Record<string, string | undefined>, fail = false) {
  const sent: string[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  let pending: (() => void)[] = [];
  const options: SystemdNotifierOptions = {
    env,
    pid: 100,
    logger,
    send: (state) => {
      sent.push(state);
      return new Promise<void>((resolve, reject) => pending.push(() => (fail ? reject(new Error('no systemd-notify')) : resolve())));
    },
    setInterval: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearInterval: (h) => void ((h as { cleared: boolean }).cleared = true),
  };
  const settle = async () => {
    const now = pending;
    pending = [];
    for (const p of now) p();
    await new Promise((r) => setImmediate(r));
  };
  return { options, sent, timers, settle };
}

describe('systemd notifier', () => {
  it('does nothing outside a notify unit', () => {
    assert.equal(createSystemdNotifier(fakes({}).options), undefined);
  });

  it('pings WATCHDOG=1 every third of WatchdogSec, one at a time; READY=1 when told; STOPPING=1 with the pings stopped', async () => {
    const f = fakes({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '100' });
    const n = createSystemdNotifier(f.options)!;
    assert.equal(n.pingEveryMs, 10_000);
    n.watch();
    assert.deepEqual(f.sent, [], 'pings on the interval only');
    n.ready();
    n.watch(); // once armed, stays one interval
    assert.deepEqual(f.sent, ['READY=1']);
    assert.equal(f.timers.length, 1);
    assert.equal(f.timers[0]!.ms, 10_000);
    await f.settle();
    f.timers[0]!.fn();
    await f.settle();
    f.timers[0]!.fn();
    assert.deepEqual(f.sent, ['READY=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    f.timers[0]!.fn(); // the last ping has not returned yet: no second one behind it
    assert.equal(f.sent.length, 3);
    await f.settle();
    n.stopping();
    assert.equal(f.timers[0]!.cleared, true);
    assert.equal(f.sent.at(-1), 'STOPPING=1');
  });

  it('readiness only when the watchdog is not set, or is for another process', () => {
    for (const env of [{ NOTIFY_SOCKET: '/x' } as Record<string, string>, { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: 'garbage' }]) {
      const f = fakes(env);
      const n = createSystemdNotifier(f.options)!;
      assert.equal(n.pingEveryMs, undefined, JSON.stringify(env));
      n.watch();
      n.ready();
      assert.deepEqual(f.sent, ['READY=1']);
      assert.equal(f.timers.length, 0);
    }
  });

  it('a failing systemd-notify is logged once and does not stop the pings', async () => {
    const f = fakes({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '3000000' }, true);
    const captured = captureLogger();
    const n = createSystemdNotifier({ ...f.options, logger: captured.logger })!;
    n.watch();
    n.ready();
    await f.settle();
    for (let i = 0; i < 3; i++) {
      f.timers[0]!.fn();
      await f.settle();
    }
    assert.deepEqual(f.sent, ['READY=1', 'WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    assert.equal(captured.lines.filter((l) => l['msg'] === 'systemd notification failed (is systemd-notify installed?)').length, 1);
  });
});
