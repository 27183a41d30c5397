import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from './duration';

describe('Go durations', () => {
  const cases: [string, number | undefined][] = [
    ['2s', 2000], ['500ms', 500], ['1m30s', 90_000], ['0s', 0], ['0', 0], ['1h', 3_600_000], ['1.5s', 1500], [' 5m ', 300_000],
    ['10 seconds', undefined], ['5', undefined], ['', undefined], ['s', undefined], ['-5s', undefined], ['5s5', undefined],
  ];
  for (const [input, want] of cases) it(`parseGoDuration(${JSON.stringify(input)}) = ${want}`, () => assert.equal(parseGoDuration(input), want));
});
