import { it } from 'node:test';
import assert from 'node:assert/strict';
import { filterMatches, hasEmptyLevel } from './topic-match';

it('matches + against empty levels, # against the parent, and keeps $ topics out of wildcards', () => {
  const cases: [string, string, boolean][] = [
    ['command//+/res/#', 'command///res/4711/204', true],
    ['command//+/res/#', 'command//demo:dev/res/1/200', true],
    ['x/+/y', 'x//y', true],
    ['x/+/y', 'x/a/b/y', false],
    ['a/#', 'a', true],
    ['+/a', '/a', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['a/b', 'a/b/', false],
  ];
  for (const [f, t, want] of cases) assert.equal(filterMatches(f, t), want, `${f} vs ${t}`);
  assert.equal(hasEmptyLevel('a//b'), true);
  assert.equal(hasEmptyLevel('a/b'), false);
});
