// Pure helpers shared by the model libs for parsing untrusted input: no I/O, no dependencies.
export { parseFailure } from './parse-result';
export type { ParseFailure } from './parse-result';
export { decodeJsonInput, isPlainObject } from './json-input';
export type { JsonLimits } from './json-input';
