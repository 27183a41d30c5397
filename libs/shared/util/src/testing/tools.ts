// A suite or test that needs a tool (Mosquitto, openssl, containerd, …): skipped where it is missing, except
// with CI=true, where a missing tool must fail and never skip (.ci/run installs every one). There the
// suite runs (and fails where it calls the tool) and a test of its own names what is missing.
import { test } from 'node:test';

/** `skip` for node:test: the reason when `missing` and not on CI; false otherwise (on CI a failing test says why). */
export function skipUnlessTools(what: string, missing: boolean): string | false {
  if (!missing) return false;
  if (process.env['CI'] !== 'true') return what;
  test(`the tools this suite needs are installed (${what})`, () => {
    throw new Error(`CI=true and not installed: ${what} (.ci/run installs it)`);
  });
  return false;
}
