// defineErrors (STYLE.md "Errors"): one entry per error (code, kind, message template); `create` builds the
// LedgeError subclass of the entry's kind with the template filled as formatMessage does; the codes are
// frozen and keep their literal types; a malformed table throws at load.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  LedgeError,
  NotFoundError,
  UnavailableError,
  defineErrors,
  formatMessage,
  type ErrorKind,
  type TemplatePlaceholders,
} from './errors';

const TestErrors = defineErrors({
  /** Bad input. */
  BAD: { code: 'LEDGE_TEST_BAD', kind: 'InvalidArgument', message: 'bad {what}: {why}' },
  /** Nothing there. */
  GONE: { code: 'LEDGE_TEST_GONE', kind: 'NotFound', message: 'no {id}' },
  /** Twice. */
  DUP: { code: 'LEDGE_TEST_DUP', kind: 'AlreadyExists', message: '{id} exists' },
  /** Wrong state. */
  STATE: { code: 'LEDGE_TEST_STATE', kind: 'FailedPrecondition', message: 'closed' },
  /** Down. */
  DOWN: { code: 'LEDGE_TEST_DOWN', kind: 'Unavailable', message: 'down: {reason}' },
  /** Bug. */
  BUG: { code: 'LEDGE_TEST_BUG', kind: 'Internal', message: 'bug {n} in {n}' },
});

describe('defineErrors', () => {
  it('create builds the class of the entry kind, with its code, kind, name and filled message', () => {
    const cases: [LedgeError, new (...a: never[]) => LedgeError, ErrorKind, string, string][] = [
      [TestErrors.create('BAD', { what: 'port', why: 'not a number' }), InvalidArgumentError, 'InvalidArgument', 'LEDGE_TEST_BAD', 'bad port: not a number'],
      [TestErrors.create('GONE', { id: 'c1' }), NotFoundError, 'NotFound', 'LEDGE_TEST_GONE', 'no c1'],
      [TestErrors.create('DUP', { id: 'c1' }), AlreadyExistsError, 'AlreadyExists', 'LEDGE_TEST_DUP', 'c1 exists'],
      [TestErrors.create('STATE', {}), FailedPreconditionError, 'FailedPrecondition', 'LEDGE_TEST_STATE', 'closed'],
      [TestErrors.create('DOWN', { reason: 'ECONNREFUSED' }), UnavailableError, 'Unavailable', 'LEDGE_TEST_DOWN', 'down: ECONNREFUSED'],
      [TestErrors.create('BUG', { n: 7 }), InternalError, 'Internal', 'LEDGE_TEST_BUG', 'bug 7 in 7'],
    ];
    for (const [err, cls, kind, code, message] of cases) {
      assert.ok(err instanceof cls, code);
      assert.ok(err instanceof LedgeError);
      assert.equal(err.kind, kind);
      assert.equal(err.name, `${kind}Error`);
      assert.equal(err.code, code);
      assert.equal(err.message, message);
    }
  });

  it('passes cause and details on, and none when not given', () => {
    const cause = new Error('EIO');
    const err = TestErrors.create('DOWN', { reason: 'EIO' }, { cause, details: { file: 'f' } });
    assert.equal(err.cause, cause);
    assert.deepEqual(err.details, { file: 'f' });
    const bare = TestErrors.create('STATE', {});
    assert.equal('cause' in bare, false);
    assert.equal(bare.details, undefined);
    assert.deepEqual(bare.toJSON(), { name: 'FailedPreconditionError', code: 'LEDGE_TEST_STATE', message: 'closed', details: undefined });
  });

  it('fills placeholders as formatMessage: a missing value leaves its placeholder, a value is never filled again', () => {
    const missing = TestErrors.create('BAD', { what: 'port' } as never);
    assert.equal(missing.message, 'bad port: {why}');
    assert.equal(missing.message, formatMessage('bad {what}: {why}', { what: 'port' }));
    assert.equal(TestErrors.create('BAD', { what: '{why}', why: 'x' }).message, 'bad {why}: x');
    assert.equal(TestErrors.create('BAD', { what: undefined, why: null }).message, 'bad undefined: null');
  });

  it('codes: KEY → code, frozen, with the literal types of the codes', () => {
    assert.deepEqual(TestErrors.codes, {
      BAD: 'LEDGE_TEST_BAD',
      GONE: 'LEDGE_TEST_GONE',
      DUP: 'LEDGE_TEST_DUP',
      STATE: 'LEDGE_TEST_STATE',
      DOWN: 'LEDGE_TEST_DOWN',
      BUG: 'LEDGE_TEST_BUG',
    });
    assert.ok(Object.isFrozen(TestErrors.codes));
    assert.ok(Object.isFrozen(TestErrors.defs) && Object.isFrozen(TestErrors.defs.BAD));
    assert.throws(() => {
      (TestErrors.codes as Record<string, string>)['BAD'] = 'LEDGE_OTHER';
    }, TypeError);
    type Code = (typeof TestErrors.codes)[keyof typeof TestErrors.codes];
    const code: Code = 'LEDGE_TEST_GONE';
    // @ts-expect-error not a code of the table
    const other: Code = 'LEDGE_TEST_OTHER';
    assert.notEqual(code, other);
  });

  it('types the values from the template: every placeholder is required, no other key is taken', () => {
    const names: TemplatePlaceholders<'a {x} b {y}{z} {x}'>[] = ['x', 'y', 'z'];
    assert.equal(names.length, 3);
    // @ts-expect-error `why` is missing
    assert.equal(TestErrors.create('BAD', { what: 'w' }).message, 'bad w: {why}');
    // @ts-expect-error `other` is no placeholder
    assert.equal(TestErrors.create('GONE', { id: 1, other: 2 }).message, 'no 1');
    // @ts-expect-error no such key
    assert.throws(() => TestErrors.create('NOPE', {}), /no error NOPE/);
  });

  it('refuses a malformed table at load: a code given twice, a code not LEDGE_…, an unknown kind', () => {
    assert.throws(
      () =>
        defineErrors({
          A: { code: 'LEDGE_TEST_SAME', kind: 'Internal', message: 'a' },
          B: { code: 'LEDGE_TEST_SAME', kind: 'Internal', message: 'b' },
        }),
      /LEDGE_TEST_SAME is defined twice/,
    );
    // @ts-expect-error not a LEDGE_ code
    assert.throws(() => defineErrors({ A: { code: 'TEST_A', kind: 'Internal', message: 'a' } }), /not LEDGE_/);
    assert.throws(() => defineErrors({ A: { code: 'LEDGE_test', kind: 'Internal', message: 'a' } }), /not LEDGE_/);
    // @ts-expect-error not a kind
    assert.throws(() => defineErrors({ A: { code: 'LEDGE_TEST_A', kind: 'Fatal', message: 'a' } }), /unknown kind 'Fatal'/);
  });
});
