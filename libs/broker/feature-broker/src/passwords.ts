// Stored passwords: plain text, `sha256:<hex>`, `pbkdf2:<digest>:<iterations>:<salt b64>:<hash b64>`, and
// the two formats of mosquitto_passwd (`$6$` salted SHA-512, `$7$` PBKDF2-SHA512), so a Mosquitto password
// file works unchanged. Comparisons are constant-time; PBKDF2 runs off the event loop.
import { withDefaults } from '@ledge/shared/util';
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export const defaultHashOptions = Object.freeze({ iterations: 10_000, digest: 'sha512' as 'sha512' | 'sha256', saltBytes: 16 });

export interface HashOptions {
  iterations?: number;
  digest?: 'sha512' | 'sha256';
  /** Fixed salt (tests); random by default. */
  salt?: Buffer;
}

/** Hashes `password` for the `users` config: `pbkdf2:sha512:<iterations>:<salt>:<hash>` (base64). */
export async function hashPassword(password: string, options: HashOptions = {}): Promise<string> {
  const o = withDefaults(defaultHashOptions, options);
  const salt = options.salt ?? randomBytes(o.saltBytes);
  const hash = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, o.iterations, o.digest === 'sha512' ? 64 : 32, o.digest);
  return `pbkdf2:${o.digest}:${o.iterations}:${salt.toString('base64')}:${hash.toString('base64')}`;
}

type Parsed =
  | { kind: 'plain'; secret: Buffer }
  | { kind: 'sha256'; hash: Buffer }
  | { kind: 'pbkdf2'; digest: 'sha512' | 'sha256'; iterations: number; salt: Buffer; hash: Buffer }
  | { kind: 'sha512-salted'; salt: Buffer; hash: Buffer };

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseStored(stored: string): Parsed | string {
  if (stored.startsWith('plain:')) return { kind: 'plain', secret: Buffer.from(stored.slice(6), 'utf8') };
  if (stored.startsWith('sha256:')) {
    const hex = stored.slice(7);
    return /^[0-9a-fA-F]{64}$/.test(hex) ? { kind: 'sha256', hash: Buffer.from(hex, 'hex') } : 'sha256: needs 64 hex digits';
  }
  if (stored.startsWith('pbkdf2:')) {
    const [, digest, iter, salt, hash, ...rest] = stored.split(':');
    const iterations = Number(iter);
    if (rest.length > 0 || (digest !== 'sha512' && digest !== 'sha256')) return 'pbkdf2: expected pbkdf2:<sha512|sha256>:<iterations>:<salt>:<hash>';
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) return 'pbkdf2: iterations must be an integer from 1 to 10000000';
    if (!salt || !hash || !B64.test(salt) || !B64.test(hash)) return 'pbkdf2: salt and hash must be base64';
    return { kind: 'pbkdf2', digest, iterations, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  if (stored.startsWith('$7$')) {
    const [, , iter, salt, hash, ...rest] = stored.split('$');
    const iterations = Number(iter);
    if (rest.length > 0 || !Number.isInteger(iterations) || iterations < 1 || !salt || !hash || !B64.test(salt) || !B64.test(hash)) {
      return '$7$: expected $7$<iterations>$<salt>$<hash> (mosquitto_passwd)';
    }
    return { kind: 'pbkdf2', digest: 'sha512', iterations, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  if (stored.startsWith('$6$')) {
    const [, , salt, hash, ...rest] = stored.split('$');
    if (rest.length > 0 || !salt || !hash || !B64.test(salt) || !B64.test(hash)) return '$6$: expected $6$<salt>$<hash> (mosquitto_passwd)';
    return { kind: 'sha512-salted', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  return { kind: 'plain', secret: Buffer.from(stored, 'utf8') };
}

/** Why a stored password entry cannot be used, or undefined when it can. */
export function storedPasswordProblem(stored: string): string | undefined {
  const parsed = parseStored(stored);
  return typeof parsed === 'string' ? parsed : undefined;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `given` (the CONNECT password bytes) matches the stored entry. */
export async function verifyPassword(stored: string, given: Buffer): Promise<boolean> {
  const parsed = parseStored(stored);
  if (typeof parsed === 'string') return false;
  switch (parsed.kind) {
    case 'plain': {
      // hash both sides so the comparison takes the same time whatever the lengths
      const h = (b: Buffer) => createHash('sha256').update(b).digest();
      return sameBytes(h(parsed.secret), h(given)) && parsed.secret.length === given.length;
    }
    case 'sha256':
      return sameBytes(createHash('sha256').update(given).digest(), parsed.hash);
    case 'sha512-salted':
      // mosquitto_passwd $6$: SHA-512 over the password followed by the salt bytes
      return sameBytes(createHash('sha512').update(given).update(parsed.salt).digest(), parsed.hash);
    case 'pbkdf2': {
      const got = await pbkdf2Async(given, parsed.salt, parsed.iterations, parsed.hash.length, parsed.digest);
      return sameBytes(got, parsed.hash);
    }
  }
}

export interface UserEntry {
  username: string;
  password: string;
}

/** Parses a Mosquitto password file (`user:hash` per line, `#` comments). Returns entries or a problem. */
export function parsePasswordFile(text: string): UserEntry[] | string {
  const out: UserEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `line ${i + 1}: expected <user>:<password hash>`;
    out.push({ username: line.slice(0, colon), password: line.slice(colon + 1) });
  }
  return out;
}
