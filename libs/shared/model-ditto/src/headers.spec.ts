import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getCorrelationId, getHeader, getHeaderString } from './headers';

describe('headers', () => {
  it('looks names up case-insensitively, exact case first', () => {
    assert.equal(getHeader({ 'Correlation-ID': 'a' }, 'correlation-id'), 'a');
    assert.equal(getHeader({ 'Correlation-ID': 'a', 'correlation-id': 'b' }, 'correlation-id'), 'b');
    assert.equal(getHeader(undefined, 'x'), undefined);
  });

  it('reads strings and correlation IDs', () => {
    assert.equal(getHeaderString({ timeout: 10 }, 'timeout'), '10');
    assert.equal(getHeaderString({ l: ['a'] }, 'l'), undefined);
    assert.equal(getCorrelationId({ 'correlation-id': '' }), undefined);
    assert.equal(getCorrelationId({ 'correlation-id': 'x' }), 'x');
  });
});
