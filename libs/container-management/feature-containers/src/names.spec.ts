import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createNameReservations } from './names';

it('a name is taken by a record or by a reservation of another owner; release gives it back', () => {
  const records = [{ id: 'r1', name: 'db' }];
  const names = createNameReservations(() => records);
  assert.throws(() => names.reserve('db', 'new'), { code: 'LEDGE_CM_NAME_IN_USE', kind: 'AlreadyExists' });
  names.reserve('db', 'r1')(); // its own name: no clash, and its release leaves the record's name alone
  const release = names.reserve('web', 'a');
  assert.throws(() => names.reserve('web', 'b'), { code: 'LEDGE_CM_NAME_IN_USE' });
  assert.equal(names.isTaken('web', 'a'), false);
  assert.equal(names.isTaken('web'), true);
  release();
  release(); // idempotent
  names.reserve('web', 'b');
});

it('reserveUnique skips names held by records and by reservations', () => {
  const names = createNameReservations(() => [{ id: 'r1', name: 'app' }]);
  const first = names.reserveUnique('app', 'a');
  const second = names.reserveUnique('app', 'b');
  assert.deepEqual([first.name, second.name], ['app-1', 'app-2']);
  first.release();
  assert.equal(names.reserveUnique('app', 'c').name, 'app-1');
});
