import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFilters, capitalise, formatBytes, formatProgress, formatTable, NO_CONTAINERS, parseFilters, statusCell, type ApiContainer } from './format';
import { UsageError } from './create-flags';

const ctr = (id: string, name: string, status: string, exitCode = 0, finishedAt = ''): ApiContainer => ({ id, name, imageRef: `reg/test/${name}:1`, state: { status, exitCode, finishedAt } });

describe('list output (Kanto §4.3)', () => {
  it('empty → "No containers found."', () => {
    assert.equal(formatTable([]), `${NO_CONTAINERS}\n`);
  });

  it('columns ID | Name | Image | Status | Finished At | Exit Code, aligned, status capitalised', () => {
    const out = formatTable([ctr('a1', 'web', 'RUNNING'), ctr('b22', 'database', 'EXITED', 3, '2026-01-01T00:00:00.000000000Z')]);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[0]!.split('|').map((s) => s.trim()), ['ID', 'Name', 'Image', 'Status', 'Finished At', 'Exit Code']);
    assert.deepEqual(lines[2]!.split('|').map((s) => s.trim()), ['a1', 'web', 'reg/test/web:1', 'Running', '', '0']);
    assert.deepEqual(lines[3]!.split('|').map((s) => s.trim()), ['b22', 'database', 'reg/test/database:1', 'Exited', '2026-01-01T00:00:00.000000000Z', '3']);
    const bars = (l: string) => [...l].flatMap((ch, i) => (ch === '|' ? [i] : []));
    assert.deepEqual(bars(lines[2]!), bars(lines[0]!), 'columns line up');
    assert.match(lines[1]!, /^-+-\+-/);
  });

  const caps: [string, string][] = [['RUNNING', 'Running'], ['STOPPED', 'Stopped'], ['CREATED', 'Created'], ['PAUSED', 'Paused'], ['', '']];
  for (const [raw, want] of caps) it(`status ${raw || '(empty)'} → ${want || '(empty)'}`, () => assert.equal(capitalise(raw), want));

  it('--filter status=|image=|exitcode=, every filter must match; bad filters are usage errors', () => {
    const all = [ctr('a', 'web', 'RUNNING'), ctr('b', 'db', 'EXITED', 3), ctr('c', 'web2', 'EXITED', 0)];
    const ids = (f: string[]) => applyFilters(all, parseFilters(f)).map((c) => c.id);
    assert.deepEqual(ids(['status=exited']), ['b', 'c']);
    assert.deepEqual(ids(['status=Running']), ['a']);
    assert.deepEqual(ids(['image=reg/test/db:1']), ['b']);
    assert.deepEqual(ids(['status=exited', 'exitcode=0']), ['c']);
    assert.deepEqual(ids([]), ['a', 'b', 'c']);
    for (const bad of ['status', 'name=web', 'exitcode=x', 'status=']) assert.throws(() => parseFilters([bad]), UsageError, bad);
  });
});

describe('health in list (issue 18)', () => {
  const healthy = { ...ctr('h', 'web', 'RUNNING'), health: { status: 'healthy', failingStreak: 0 } };
  const sick = { ...ctr('s', 'db', 'RUNNING'), health: { status: 'unhealthy', failingStreak: 3 } };
  const stopped = { ...ctr('x', 'old', 'EXITED', 1), health: { status: 'unhealthy', failingStreak: 3 } };
  it('Status shows the health of a running container in parentheses, as docker does; the columns stay Kanto\'s', () => {
    assert.deepEqual([healthy, sick, stopped, ctr('p', 'plain', 'RUNNING')].map(statusCell), ['Running (healthy)', 'Running (unhealthy)', 'Exited', 'Running']);
    const lines = formatTable([healthy]).trimEnd().split('\n');
    assert.deepEqual(lines[0]!.split('|').map((c) => c.trim()), ['ID', 'Name', 'Image', 'Status', 'Finished At', 'Exit Code']);
    assert.equal(lines[2]!.split('|')[3]!.trim(), 'Running (healthy)');
  });
  it('--filter health=<status>; none = no check', () => {
    const all = [healthy, sick, ctr('p', 'plain', 'RUNNING')];
    const ids = (f: string[]) => applyFilters(all, parseFilters(f)).map((c) => c.id);
    assert.deepEqual(ids(['health=healthy']), ['h']);
    assert.deepEqual(ids(['health=UNHEALTHY', 'status=running']), ['s']);
    assert.deepEqual(ids(['health=none']), ['p']);
  });
});

describe('pull progress bar', () => {
  it('renders ratio, percentage and sizes', () => {
    assert.equal(formatProgress({ ref: 'r', totalBytes: 2048, doneBytes: 1024 }, 10), 'pulling r [=====>    ]  50% 1.0 KiB/2.0 KiB');
    assert.equal(formatProgress({ ref: 'r', totalBytes: 100, doneBytes: 100 }, 4), 'pulling r [====] 100% 100 B/100 B');
    assert.equal(formatProgress({ ref: 'r', totalBytes: 0, doneBytes: 0 }, 4), 'pulling r [>   ]   0% 0 B/0 B');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });
});
