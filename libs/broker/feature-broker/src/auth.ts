// Who may connect. With users configured, a client that sends a user name must prove it (else CONNACK 4);
// a client without one is anonymous. Anonymous clients are accepted from loopback addresses when
// allowAnonymous is set and from other addresses only when allowAnonymousRemote is set too (else
// CONNACK 5). Without any users configured a user name is taken as given (Mosquitto without a
// password_file does the same) but does not make the client less anonymous.
import { verifyPassword, type UserEntry } from './passwords';

export interface AuthOptions {
  users: readonly UserEntry[];
  allowAnonymous: boolean;
  allowAnonymousRemote: boolean;
}

export interface Peer {
  address: string;
}

export type AuthResult = { ok: true; username: string | undefined } | { ok: false; returnCode: 4 | 5; why: string };

export interface Authenticator {
  check(username: string | undefined, password: Buffer | undefined, peer: Peer): Promise<AuthResult>;
}

export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export function createAuthenticator(options: AuthOptions): Authenticator {
  const users = new Map(options.users.map((u) => [u.username, u.password]));
  const anonymous = (peer: Peer, username: string | undefined): AuthResult => {
    if (!options.allowAnonymous) return { ok: false, returnCode: 5, why: 'anonymous clients not allowed' };
    if (!options.allowAnonymousRemote && !isLoopback(peer.address)) {
      return { ok: false, returnCode: 5, why: 'anonymous clients allowed from loopback only' };
    }
    return { ok: true, username };
  };
  return {
    async check(username, password, peer) {
      if (username === undefined) return anonymous(peer, undefined);
      if (users.size === 0) return anonymous(peer, username);
      const stored = users.get(username);
      if (stored === undefined || password === undefined) return { ok: false, returnCode: 4, why: 'unknown user or no password' };
      if (!(await verifyPassword(stored, password))) return { ok: false, returnCode: 4, why: 'wrong password' };
      return { ok: true, username };
    },
  };
}
