// A token server for docker-registry's `auth: token` (distribution "Token Authentication Specification"):
// GET <realm>?service=…&scope=repository:<name>:<actions> with Basic credentials answers a JWT the
// registry verifies against `rootcertbundle`. The JWT is RS256, signed with a key made by openssl here,
// and carries its self-signed certificate in the `x5c` header (distribution's token.go verifies the x5c
// chain against the bundle; a bare `kid` would have to be libtrust's key fingerprint).
import { spawnSync } from 'node:child_process';
import { X509Certificate, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { onCleanup, type TestContextLike } from '@ledge/shared/util/testing';

export interface TokenRequest {
  service: string | null;
  scopes: string[];
  /** The Basic user name sent, if any. */
  account: string | undefined;
  granted: boolean;
}

export interface TokenServer {
  /** http://127.0.0.1:<port>/token */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM file of the signing certificate: the registry's `rootcertbundle`. */
  readonly certFile: string;
  readonly username: string;
  readonly password: string;
  /** Every request, in order. */
  readonly requests: readonly TokenRequest[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Grants the requested repository actions to `username`/`password`; anything else gets 401. */
export async function startTokenServer(t: TestContextLike, account: { username: string; password: string }): Promise<TokenServer> {
  const dir = mkdtempSync('/tmp/ledge-token-');
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ledge-test-token-issuer', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir, encoding: 'utf8' });
  if (ssl.status !== 0) throw new Error(`openssl req failed: ${ssl.stderr}`);
  const key = readFileSync(join(dir, 'key.pem'));
  const x5c = [new X509Certificate(readFileSync(join(dir, 'cert.pem'))).raw.toString('base64')];
  const service = 'ledge-test-registry';
  const issuer = 'ledge-test-issuer';
  const requests: TokenRequest[] = [];
  const expected = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = req.headers.authorization;
    const user = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':')[0] : undefined;
    const scopes = url.searchParams.getAll('scope');
    const granted = url.pathname === '/token' && auth === expected;
    requests.push({ service: url.searchParams.get('service'), scopes, account: user, granted });
    if (!granted) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    // scope = repository:<name>:<action>[,<action>]; the name may contain ':' only before a port, not here.
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: account.username, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
    const token = `${header}.${claims}.${b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key))}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(t, () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  const { port } = server.address() as { port: number };
  return { realm: `http://127.0.0.1:${port}/token`, service, issuer, certFile: join(dir, 'cert.pem'), ...account, requests };
}
