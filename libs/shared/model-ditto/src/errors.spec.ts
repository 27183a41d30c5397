// The one table of Ditto error codes and statuses (errors.ts) and the values built from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DittoErrorCodes, DittoErrorStatus, createDittoError, dittoError, isDittoErrorValue } from './errors';

describe('Ditto error values', () => {
  it('take the status of their code from the one table, with Ditto\'s statuses by family', () => {
    for (const [code, status] of Object.entries(DittoErrorStatus)) {
      if (code.endsWith('.notfound')) assert.equal(status, 404, code);
      else if (code.endsWith('.invalid') || code.endsWith('.notsettable') || code.endsWith('.notdeletable')) assert.equal(status, 400, code);
    }
    assert.deepEqual(dittoError('things:thing.conflict', 'exists'), { status: 409, error: 'things:thing.conflict', message: 'exists' });
    assert.deepEqual(dittoError('messages:message.timeout', 'late', 'answer sooner'), { status: 408, error: 'messages:message.timeout', message: 'late', description: 'answer sooner' });
    assert.equal('description' in dittoError('json.invalid', 'bad'), false, 'no description key when none is given');
  });

  it('the device side\'s messages:* answers are in the table and recognised when received', () => {
    for (const code of Object.values(DittoErrorCodes)) {
      const value = createDittoError(code, 'why');
      assert.equal(value.status, DittoErrorStatus[code]);
      assert.ok(isDittoErrorValue(value));
    }
    assert.equal(isDittoErrorValue({ status: '404', error: 'x', message: 'y' }), false);
    assert.equal(isDittoErrorValue({ status: 404, error: 'x', message: 'y', description: 3 }), false);
  });
});
