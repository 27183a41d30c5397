import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duplicateKeys } from './duplicate-keys';

describe('duplicateKeys', () => {
  const cases: [string, string[]][] = [
    ['{"a":1,"b":2}', []],
    ['{"component":"x","msg":"m","component":"y"}', ['/component']],
    ['{"a":{"b":1,"b":2},"c":[{"d":1,"d":1}]}', ['/a/b', '/c/0/d']],
    ['{"a":1,"\\u0061":2}', ['/a']],
    ['{"k\\"":1,"k\\"":2}', ['/k"']],
    ['{"a":"}\\"{","b":{"a":1},"c":[]," a":{}}', []],
    [' { "x" : [ 1 , true , null , -2.5e3 , "s" ] , "x" : {} } ', ['/x']],
    ['[]', []],
    ['"plain"', []],
  ];
  for (const [text, want] of cases) it(`${text} → ${JSON.stringify(want)}`, () => assert.deepEqual(duplicateKeys(text), want));

  it('throws on text that is not JSON', () => {
    assert.throws(() => duplicateKeys('{"a":1'), SyntaxError);
    assert.throws(() => duplicateKeys('not json'), SyntaxError);
  });
});
