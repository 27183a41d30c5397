import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { createTempDir } from '@ledge/shared/util/testing';
import { appLine, logsCommand, parseSince } from './logs-command';

const rec = (unit: string, message: unknown) => JSON.stringify({ _SYSTEMD_UNIT: unit, MESSAGE: message });

describe('ledge logs: which journal records are the app\'s', () => {
  it('its own unit\'s lines, and its lines in the all-in-one unit', () => {
    const own = '{"level":30,"name":"connector","msg":"connected"}';
    const hosted = '{"level":30,"name":"ledge","app":"connector","msg":"connected"}';
    assert.equal(appLine('connector', rec('ledge-connector.service', own)), own);
    assert.equal(appLine('connector', rec('ledge.service', hosted)), hosted);
    assert.equal(appLine('connector', rec('ledge.service', '{"name":"ledge","app":"broker","msg":"x"}')), undefined);
    assert.equal(appLine('connector', rec('ledge-broker.service', own)), undefined);
    assert.equal(appLine('connector', rec('ledge.service', 'not json')), undefined);
    assert.equal(appLine('connector', rec('ledge-connector.service', [104, 105])), 'hi', 'a message journald kept as bytes');
    assert.equal(appLine('connector', 'garbage'), undefined);
    assert.equal(appLine('connector', JSON.stringify({ _SYSTEMD_UNIT: 'ledge-connector.service' })), undefined);
  });
});

describe('ledge logs --log-dir: the log files where there is no journald', () => {
  const T0 = Date.parse('2026-12-07T08:00:00.000Z');
  const line = (s: number, extra: Record<string, unknown>) => JSON.stringify({ level: 'info', time: new Date(T0 + s * 1000).toISOString(), ...extra });
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    let code = 0;
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {}, setExitCode: (c: number) => void (code = c) };
    await logsCommand(yargs(args).exitProcess(false).strict(), io).parseAsync();
    return { out: out.join(''), err: err.join(''), code };
  };

  it('prints the app\'s last lines from its own file and the all-in-one file, in time order', async (t) => {
    const dir = createTempDir(t);
    writeFileSync(join(dir, 'broker.log.1'), `${line(0, { name: 'broker', msg: 'b0' })}\n`);
    writeFileSync(join(dir, 'broker.log'), `${line(2, { name: 'broker', msg: 'b2' })}\ngarbage\n`);
    writeFileSync(join(dir, 'ledge.log'), [line(1, { name: 'ledge', app: 'broker', msg: 'h1' }), line(3, { name: 'ledge', app: 'file-upload', msg: 'f3' }), line(4, { name: 'ledge', msg: 'l4' })].join('\n') + '\n');
    const msgs = (out: string) => out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.deepEqual(msgs((await run(['logs', 'broker', '--log-dir', dir])).out), ['b0', 'h1', 'b2']);
    assert.deepEqual(msgs((await run(['logs', 'broker', '--log-dir', dir, '-n', '2'])).out), ['h1', 'b2']);
    assert.deepEqual(msgs((await run(['logs', 'broker', '--log-dir', dir, '--since', '2026-12-07T08:00:01.500Z'])).out), ['b2']);
    assert.deepEqual(msgs((await run(['logs', 'file-upload', '--log-dir', dir])).out), ['f3']);
    const missing = await run(['logs', 'broker', '--log-dir', join(dir, 'nope')]);
    assert.deepEqual([missing.code, missing.out], [1, '']);
    assert.match(missing.err, /^ledge logs: no Ledge log files: cannot read the log directory .*nope \(ENOENT\)/);
    const bad = await run(['logs', 'broker', '--log-dir', dir, '--since', 'yesterday-ish']);
    assert.equal(bad.code, 2);
  });

  it('understands the common --since forms', () => {
    const now = Date.parse('2026-12-07T08:00:00Z');
    const cases: [string, number | undefined][] = [
      ['@1796630400', 1796630400],
      ['10 min ago', now / 1000 - 600],
      ['2 hours ago', now / 1000 - 7200],
      ['1d ago', now / 1000 - 86400],
      ['2026-12-07T07:00:00Z', now / 1000 - 3600],
      ['3 fortnights ago', undefined],
      ['whenever', undefined],
    ];
    for (const [text, want] of cases) assert.equal(parseSince(text, now), want, text);
  });
});
