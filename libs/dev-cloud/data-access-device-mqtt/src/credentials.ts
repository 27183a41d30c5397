// Who may connect: Hono's username/password scheme. The MQTT user name is `<authId>@<tenant>` and the
// password is compared in constant time (a SHA-256 of both sides, so that unequal lengths take as long as
// equal ones; an unknown user is compared against a dummy for the same reason). CONNACK codes follow
// MQTT 3.1.1 §3.2.2.3: 4 = bad user name or password, 5 = not authorized (no user name at all: Hono
// refuses unauthenticated devices unless the tenant allows them, and this stand-in never does).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceAddress, DeviceCredential } from '@ledge/dev-cloud/model-dev-cloud';

export type CredentialCheck = { readonly ok: true; readonly device: DeviceAddress } | { readonly ok: false; readonly returnCode: 4 | 5; readonly why: string };

export interface CredentialStore {
  check(username: string | undefined, password: Buffer | undefined): CredentialCheck;
}

/** `<authId>@<tenant>` → its parts; the tenant is after the last `@` (Hono's rule). */
export function parseHonoUsername(username: string): { authId: string; tenant: string } | undefined {
  const at = username.lastIndexOf('@');
  if (at <= 0 || at === username.length - 1) return undefined;
  return { authId: username.slice(0, at), tenant: username.slice(at + 1) };
}

const digest = (value: Buffer | string) => createHash('sha256').update(value).digest();
const DUMMY = digest('ledge-dev-cloud: no such device');

export function createCredentialStore(credentials: readonly DeviceCredential[]): CredentialStore {
  // Keyed by the user name itself: the `@` cannot occur in an authId or tenant (parseDeviceCredentials).
  const byUser = new Map(credentials.map((c) => [`${c.authId}@${c.tenant}`, { device: { tenant: c.tenant, deviceId: c.deviceId }, password: digest(c.password) }]));
  return {
    check(username, password) {
      if (username === undefined || username === '') return { ok: false, returnCode: 5, why: 'no user name (anonymous devices are not let in)' };
      const entry = parseHonoUsername(username) ? byUser.get(username) : undefined;
      const given = digest(password ?? Buffer.alloc(0));
      const equal = timingSafeEqual(given, entry?.password ?? DUMMY);
      if (entry === undefined) return { ok: false, returnCode: 4, why: 'unknown user name (not <authId>@<tenant> of a known device)' };
      if (password === undefined || !equal) return { ok: false, returnCode: 4, why: 'wrong password' };
      return { ok: true, device: entry.device };
    },
  };
}
