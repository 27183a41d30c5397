import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactObject } from './logger';
import { formatLine } from './pretty-stream';
import { captureLogger } from './testing/capture-logger';

describe('logger', () => {
  it('writes JSON lines with level labels and redacts secrets', () => {
    const { logger, lines } = captureLogger('app');
    logger.child({ component: 'x' }).info({ password: 'hunter2', cfg: { sasToken: 'SharedAccessSignature sr=1', user: 'u' } }, 'hello');
    assert.equal(lines.length, 1);
    const l = lines[0]!;
    assert.equal(l['level'], 'info');
    assert.equal(l['component'], 'x');
    assert.equal(l['password'], '[redacted]');
    assert.deepEqual(l['cfg'], { sasToken: '[redacted]', user: 'u' });
    assert.ok(!JSON.stringify(lines).includes('hunter2'));
  });

  it('redactObject censors secret keys at any depth', () => {
    assert.deepEqual(redactObject({ a: { password: 'p', key: '' }, users: [{ password: 'q' }] }), {
      a: { password: '[redacted]', key: '' },
      users: [{ password: '[redacted]' }],
    });
  });

  it('formats lines for humans and passes non-JSON through', () => {
    const s = formatLine(JSON.stringify({ level: 'warn', time: '2026-01-01T10:00:00.123Z', name: 'broker', component: 'acl', msg: 'denied', topic: 't' }), false);
    assert.equal(s, '10:00:00.123 WARN  broker/acl: denied topic=t');
    assert.equal(formatLine('plain', false), 'plain');
  });
});
