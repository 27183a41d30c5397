import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDittoTimeout } from './timeout';

describe('parseDittoTimeout (§2.1.5)', () => {
  const cases: Array<[unknown, number]> = [
    ['60s', 60_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['10', 10_000],
    [10, 10_000],
    ['59m', 3_540_000],
    ['0', 0],
    ['0s', 0],
    ['0ms', 0],
    [0, 0],
    [undefined, 60_000],
    ['', 60_000],
    ['abc', 60_000],
    ['-1', 60_000],
    ['1.5s', 60_000],
    ['10 seconds', 60_000],
    ['60S', 60_000],
    [1.5, 60_000],
    [true, 60_000],
    ['1h', 60_000],
    ['60m', 60_000],
    ['3600', 60_000],
    ['3600000ms', 60_000],
    ['3599999ms', 3_599_999],
    ['99999999999999999999', 60_000],
  ];
  for (const [input, ms] of cases) {
    it(`${JSON.stringify(input)} → ${ms} ms`, () => assert.equal(parseDittoTimeout(input), ms));
  }
});
