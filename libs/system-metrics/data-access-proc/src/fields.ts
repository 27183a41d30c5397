// Number fields of /proc text. The kernel prints counters as unsigned decimals; anything else (a sign,
// an exponent, hex, an empty field) is refused, so a garbled file can never turn into a NaN metric.
import { procParseError } from './errors';

const UNSIGNED = /^\d{1,20}$/;
const DECIMAL = /^\d{1,20}(?:\.\d{1,20})?$/;

/** An unsigned decimal integer field (u64 in the kernel; above 2^53 it loses precision, never turns NaN). */
export function unsignedField(token: string | undefined, file: string, what: string): number {
  if (token === undefined || !UNSIGNED.test(token)) throw procParseError(file, `${what} is not an unsigned integer: ${quote(token)}`);
  return Number(token);
}

/** A non-negative decimal such as a load average (`0.36`). */
export function decimalField(token: string | undefined, file: string, what: string): number {
  if (token === undefined || !DECIMAL.test(token)) throw procParseError(file, `${what} is not a non-negative number: ${quote(token)}`);
  return Number(token);
}

/** A value for an error message: bounded, so a hostile file cannot blow up a log line. */
export function quote(token: string | undefined): string {
  if (token === undefined) return 'missing';
  return JSON.stringify(token.length > 40 ? `${token.slice(0, 40)}…` : token);
}
