// A local OCI registry (Debian docker-registry, filesystem storage in a temp dir, free loopback port)
// with test images built from busybox-static by umoci and pushed by skopeo:
//   <host>/test/busybox:1  single linux/amd64-or-host manifest, cmd ["/bin/sh","-c","echo hello"]
//   <host>/test/multi:1    OCI index with linux/amd64, linux/arm64 and linux/arm/v7 manifests (the arm ones
//                          differ by an env var ARCH)
// With `auth`, the registry asks for Basic credentials (htpasswd) or for a token from a TokenServer; the
// images are pushed with the same account.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { hasCommand, onCleanup, waitFor, type TestContextLike } from '@ledge/shared/util/testing';
import { hostPlatform, type Platform } from '../reference';
import type { TokenServer } from './registry-token-server';

export interface RegistryFixture {
  /** host:port, e.g. 127.0.0.1:40123 (plain HTTP). */
  readonly host: string;
  readonly singleRef: string;
  readonly multiRef: string;
  /** Manifest digests of test/multi:1 per platform key (see platformKey). */
  readonly multiDigests: Record<MultiPlatform, string>;
  /** With `tls`: the PEM of the CA that signed the registry's certificate (127.0.0.1). */
  readonly caPem?: string;
}

/** One account for `auth: htpasswd`, or a token server for `auth: token`. */
export type RegistryAuth = { htpasswd: { username: string; password: string } } | { token: TokenServer };

/** A bcrypt hash (the only kind docker-registry's htpasswd accepts) from python3's crypt (Debian 12: 3.11).
 * Cost 4, the minimum: the registry checks it on every request. */
function bcrypt(password: string): string {
  const script = 'import crypt, sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))';
  const r = spawnSync('python3', ['-W', 'ignore', '-c', script], { input: password, encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.startsWith('$2')) throw new Error(`bcrypt via python3 crypt failed: ${r.stderr}`);
  return r.stdout.trim();
}

function authConfig(dir: string, auth: RegistryAuth | undefined): string[] {
  if (!auth) return [];
  if ('htpasswd' in auth) {
    writeFileSync(join(dir, 'htpasswd'), `${auth.htpasswd.username}:${bcrypt(auth.htpasswd.password)}\n`);
    return ['auth:', '  htpasswd:', '    realm: ledge-test', `    path: ${join(dir, 'htpasswd')}`];
  }
  const { realm, service, issuer, certFile } = auth.token;
  return ['auth:', '  token:', `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${certFile}`];
}

/** A CA and a server certificate for 127.0.0.1 made by openssl in `dir`. */
function makeTls(dir: string): { ca: string; cert: string; key: string } {
  const ssl = (args: string[]) => run('openssl', args, dir);
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ledge-test-registry-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt']);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

export function registryAvailable(): boolean {
  return ['docker-registry', 'umoci', 'skopeo', 'busybox'].every(hasCommand) && process.getuid?.() === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Like run, without blocking the event loop: a token server in this process must answer skopeo. */
function runAsync(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr}`, { cause: err })) : resolve())),
  );
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' }, () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** The platforms in test/multi:1, as `architecture[/variant]`. */
export type MultiPlatform = 'amd64' | 'arm64' | 'arm/v7';
const multiPlatforms: readonly { key: MultiPlatform; platform: Platform }[] = [
  { key: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
  { key: 'arm64', platform: { os: 'linux', architecture: 'arm64' } },
  { key: 'arm/v7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
];

const tagOf = (key: MultiPlatform) => key.replace('/', '-');

/** `architecture[/variant]` of a platform: the key of multiDigests. */
export function platformKey(p: Platform): string {
  return p.variant ? `${p.architecture}/${p.variant}` : p.architecture;
}

/** The architecture the runtime pulls by default (the lib's hostPlatform, not a guess of our own). */
const hostArch = hostPlatform().architecture;

/** What the test images are made of: by default the host's busybox, labelled with the host's architecture. */
export interface TestImageOptions {
  /** A static busybox binary for the images (e.g. an arm64 one for an emulated gateway); default /bin/busybox. */
  busybox?: string;
  /** The architecture of test/busybox:1 (it must match the busybox binary); default the host's. */
  architecture?: string;
}

function buildLayout(dir: string, image: TestImageOptions): { layout: string; digests: Record<MultiPlatform, string> } {
  const layout = join(dir, 'oci');
  run('umoci', ['init', '--layout', layout], dir);
  run('umoci', ['new', '--image', `${layout}:base`], dir);
  const bundle = join(dir, 'bundle');
  run('umoci', ['unpack', '--image', `${layout}:base`, bundle], dir);
  mkdirSync(join(bundle, 'rootfs', 'bin'), { recursive: true });
  mkdirSync(join(bundle, 'rootfs', 'www'), { recursive: true });
  copyFileSync(image.busybox ?? '/bin/busybox', join(bundle, 'rootfs', 'bin', 'busybox'));
  symlinkSync('busybox', join(bundle, 'rootfs', 'bin', 'sh'));
  writeFileSync(join(bundle, 'rootfs', 'www', 'index.html'), 'hello from ledge\n');
  run('umoci', ['repack', '--image', `${layout}:base`, bundle], dir);
  const cmd = ['--config.cmd', '/bin/sh', '--config.cmd', '-c', '--config.cmd', 'echo hello'];
  // One manifest per platform, each with its own digest: amd64 plain, the others tagged by ARCH=<key>.
  for (const { key, platform } of multiPlatforms)
    run('umoci', ['config', '--image', `${layout}:base`, '--tag', tagOf(key), ...cmd, '--config.env', 'PATH=/bin', ...(key === 'amd64' ? [] : ['--config.env', `ARCH=${key}`]), '--os', 'linux', '--architecture', platform.architecture], dir);
  run('umoci', ['config', '--image', `${layout}:base`, '--tag', 'single', ...cmd, '--config.env', 'PATH=/bin', '--os', 'linux', '--architecture', image.architecture ?? hostArch], dir);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; mediaType: string; annotations?: Record<string, string> }[] };
  const byTag = (tag: string) => index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)!;
  // The variant lives in the index entry (umoci config has no flag for it): that is what selection reads.
  const manifests = multiPlatforms.map(({ key, platform }) => {
    const m = byTag(tagOf(key));
    return { mediaType: m.mediaType, digest: m.digest, size: m.size, platform };
  });
  const blob = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  const digest = createHash('sha256').update(blob).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', digest), blob);
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${digest}`,
    size: blob.length,
    annotations: { 'org.opencontainers.image.ref.name': 'multi' },
  });
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
  const digests = Object.fromEntries(multiPlatforms.map(({ key }) => [key, byTag(tagOf(key)).digest])) as Record<MultiPlatform, string>;
  return { layout, digests };
}

/** `tls: true` serves HTTPS with a certificate from a CA of its own (returned as `caPem`). */
export async function startRegistry(t: TestContextLike, options: { tls?: boolean; auth?: RegistryAuth; image?: TestImageOptions } = {}): Promise<RegistryFixture> {
  const dir = mkdtempSync('/tmp/ledge-registry-');
  const children: ChildProcess[] = [];
  onCleanup(t, async () => {
    for (const child of children.filter((c) => c.exitCode === null)) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tls = options.tls ? makeTls(dir) : undefined;
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${host}`,
      ...(tls ? ['  tls:', `    certificate: ${tls.cert}`, `    key: ${tls.key}`] : []),
      ...authConfig(dir, options.auth),
      '',
    ].join('\n'),
  );
  children.push(spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' }));
  const { layout, digests } = buildLayout(dir, options.image ?? {});
  // With auth, /v2/ answers 401 once the registry is up.
  const up = (status: number | undefined) => status === 200 || (options.auth !== undefined && status === 401);
  await waitFor(async () => (tls ? canConnect(port) : up((await fetch(`http://${host}/v2/`).catch(() => undefined))?.status)), 10_000, 'registry');
  const account = options.auth && ('htpasswd' in options.auth ? options.auth.htpasswd : options.auth.token);
  const push = (tag: string, repo: string, all: boolean) =>
    runAsync('skopeo', ['copy', ...(all ? ['--all'] : []), '--dest-tls-verify=false', ...(account ? ['--dest-creds', `${account.username}:${account.password}`] : []), `oci:${layout}:${tag}`, `docker://${host}/${repo}`], dir);
  await push('single', 'test/busybox:1', false);
  await push('multi', 'test/multi:1', true);
  return { host, singleRef: `${host}/test/busybox:1`, multiRef: `${host}/test/multi:1`, multiDigests: digests, ...(tls ? { caPem: readFileSync(tls.ca, 'utf8') } : {}) };
}
