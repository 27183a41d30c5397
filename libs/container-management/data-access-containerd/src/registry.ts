// OCI distribution API v2 client (undici): manifest resolution with platform selection, blob fetch
// with Range for resume, Bearer/Basic auth from registry credentials. Insecure registries use plain http.
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { lazy, type Logger } from '@ledge/shared/util';
import { ctrdError, CtrdErrorCodes } from './errors';
import { platformMatches, type ImageReference, type Platform } from './reference';

/** undici is evaluated on the first registry request (an idle daemon does not pay for it). */
const undici = lazy(() => import('undici'));

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Partial<Platform>;
}

export interface RegistryCredentials {
  username?: string;
  password?: string;
}

/** TLS of one registry (Kanto `transport`): PEM contents, not paths. */
export interface RegistryTls {
  /** Roots that verify the registry's certificate (instead of the system CAs). */
  ca?: string | Buffer;
  /** Client certificate and key for registries that require mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface RegistryConfig {
  credentials?: RegistryCredentials;
  tls?: RegistryTls;
}

export interface RegistryOptions {
  /** Credentials and TLS per registry host[:port]. */
  registries?: Record<string, RegistryConfig>;
  /** Hosts (host or host:port) reached over plain http. */
  insecureRegistries?: string[];
  logger: Logger;
}

export const MediaTypes = Object.freeze({
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
});
const ACCEPT = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerList, MediaTypes.dockerManifest].join(', ');

export interface ResolvedImage {
  /** What the tag points to (an index or a manifest). */
  top: Descriptor;
  topBytes: Buffer;
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
}

export interface RegistryClient {
  resolve(ref: ImageReference, platform: Platform, signal?: AbortSignal): Promise<ResolvedImage>;
  fetchBlob(ref: ImageReference, digest: string, offset: number, signal?: AbortSignal): Promise<{ body: Dispatcher.ResponseData<unknown>['body']; offset: number }>;
  fetchBlobBytes(ref: ImageReference, digest: string, signal?: AbortSignal): Promise<Buffer>;
}

function isIndex(mt: string): boolean {
  return mt === MediaTypes.ociIndex || mt === MediaTypes.dockerList;
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(sp + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme, params };
}

export function createRegistryClient(options: RegistryOptions): RegistryClient {
  const insecure = new Set(options.insecureRegistries ?? []);
  const tokens = new Map<string, string>();
  // Blob GETs are redirected to storage backends (S3, CDN); undici drops authorization across origins.
  // One agent per registry with its own TLS settings (roots, client certificate), one for the rest.
  const agents = new Map<string, { follow: Dispatcher; plain: Dispatcher }>();
  async function dispatcherFor(ref: ImageReference, follow: boolean): Promise<Dispatcher> {
    const tls = options.registries?.[ref.domain]?.tls;
    const key = tls ? ref.domain : '';
    let a = agents.get(key);
    if (!a) {
      const { Agent, interceptors } = await undici();
      const agent = new Agent(tls ? { connect: { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) } } : {});
      a = { plain: agent, follow: agent.compose(interceptors.redirect({ maxRedirections: 5 })) };
      agents.set(key, a);
    }
    return follow ? a.follow : a.plain;
  }
  const logger = options.logger;

  function base(ref: ImageReference): string {
    const host = ref.domain === 'docker.io' ? 'registry-1.docker.io' : ref.domain;
    const hostname = ref.domain.replace(/:\d+$/, '');
    const scheme = insecure.has(ref.domain) || insecure.has(hostname) ? 'http' : 'https';
    return `${scheme}://${host}/v2/${ref.path}`;
  }
  function creds(ref: ImageReference): RegistryCredentials | undefined {
    return options.registries?.[ref.domain]?.credentials;
  }

  async function authorize(ref: ImageReference, challenge: string, signal?: AbortSignal): Promise<string> {
    const { scheme, params } = parseChallenge(challenge);
    const c = creds(ref);
    const basic = c?.username ? `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (!basic) throw ctrdError(CtrdErrorCodes.REGISTRY_UNAUTHORIZED, { ref: ref.name });
      return basic;
    }
    if (!params.realm) throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: 'bad auth challenge' });
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${ref.path}:pull`);
    const { request } = await undici();
    const res = await request(url, { headers: basic ? { authorization: basic } : {}, signal, ...(url.host === ref.domain ? { dispatcher: await dispatcherFor(ref, true) } : {}) });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw ctrdError(CtrdErrorCodes.REGISTRY_UNAUTHORIZED, { ref: ref.name });
    }
    const body = (await res.body.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw ctrdError(CtrdErrorCodes.REGISTRY_UNAUTHORIZED, { ref: ref.name });
    return `Bearer ${token}`;
  }

  async function get(ref: ImageReference, path: string, headers: Record<string, string>, signal?: AbortSignal, follow = true): Promise<Dispatcher.ResponseData<unknown>> {
    const key = `${ref.domain}/${ref.path}`;
    for (let attempt = 0; ; attempt++) {
      const auth = tokens.get(key);
      let res: Dispatcher.ResponseData<unknown>;
      try {
        const { request } = await undici();
        res = await request(`${base(ref)}${path}`, {
          headers: { ...headers, ...(auth ? { authorization: auth } : {}) },
          signal,
          dispatcher: await dispatcherFor(ref, follow),
        });
      } catch (err) {
        if (signal?.aborted) throw ctrdError(CtrdErrorCodes.ABORTED, { op: `pull ${ref.name}` }, err);
        throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: (err as Error).message }, err);
      }
      if (res.statusCode === 401 && attempt === 0) {
        await res.body.dump();
        const challenge = res.headers['www-authenticate'];
        if (typeof challenge !== 'string') throw ctrdError(CtrdErrorCodes.REGISTRY_UNAUTHORIZED, { ref: ref.name });
        tokens.set(key, await authorize(ref, challenge, signal));
        continue;
      }
      if (res.statusCode === 401 || res.statusCode === 403) {
        await res.body.dump();
        throw ctrdError(CtrdErrorCodes.REGISTRY_UNAUTHORIZED, { ref: ref.name });
      }
      if (res.statusCode === 404) {
        await res.body.dump();
        throw ctrdError(CtrdErrorCodes.IMAGE_NOT_FOUND, { ref: ref.name, detail: `${path} not in registry` });
      }
      if (res.statusCode >= 300) {
        await res.body.dump();
        throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: `HTTP ${res.statusCode} for ${path}` });
      }
      return res;
    }
  }

  async function manifest(ref: ImageReference, reference: string, signal?: AbortSignal): Promise<{ desc: Descriptor; bytes: Buffer }> {
    const res = await get(ref, `/manifests/${reference}`, { accept: ACCEPT }, signal);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest)
      throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: `digest mismatch for ${reference}` });
    let mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!;
    try {
      const parsed = JSON.parse(bytes.toString()) as { mediaType?: string; manifests?: unknown };
      if (parsed.mediaType) mediaType = parsed.mediaType;
      else if (!isIndex(mediaType) && Array.isArray(parsed.manifests)) mediaType = MediaTypes.ociIndex;
    } catch (err) {
      throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: 'manifest is not JSON' }, err);
    }
    return { desc: { mediaType, digest, size: bytes.length }, bytes };
  }

  return {
    async resolve(ref, platform, signal) {
      const top = await manifest(ref, ref.digest ?? ref.tag!, signal);
      let chosen = top;
      if (isIndex(top.desc.mediaType)) {
        const index = JSON.parse(top.bytes.toString()) as { manifests?: Descriptor[] };
        const entry = (index.manifests ?? []).find((m) => platformMatches(platform, m.platform));
        if (!entry) {
          const p = `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
          throw ctrdError(CtrdErrorCodes.IMAGE_NOT_FOUND, { ref: ref.name, detail: `no manifest for platform ${p}` });
        }
        chosen = await manifest(ref, entry.digest, signal);
        chosen.desc.platform = entry.platform;
      }
      const m = JSON.parse(chosen.bytes.toString()) as { config?: Descriptor; layers?: Descriptor[] };
      if (!m.config || !Array.isArray(m.layers))
        throw ctrdError(CtrdErrorCodes.REGISTRY_FAILED, { ref: ref.name, detail: `unsupported manifest ${chosen.desc.mediaType}` });
      logger.debug({ ref: ref.name, manifest: chosen.desc.digest }, 'image resolved');
      return { top: top.desc, topBytes: top.bytes, manifest: chosen.desc, manifestBytes: chosen.bytes, config: m.config, layers: m.layers };
    },
    async fetchBlob(ref, digest, offset, signal) {
      let res: Dispatcher.ResponseData<unknown>;
      try {
        res = await get(ref, `/blobs/${digest}`, offset > 0 ? { range: `bytes=${offset}-` } : {}, signal);
      } catch (err) {
        // 416: the partial ingest is not a prefix the registry can serve; start over.
        if (offset === 0 || (err as { details?: { detail?: string } }).details?.detail?.startsWith('HTTP 416') !== true) throw err;
        res = await get(ref, `/blobs/${digest}`, {}, signal);
      }
      // A registry that ignores Range answers 200 with the whole blob: restart at 0.
      return { body: res.body, offset: res.statusCode === 206 ? offset : 0 };
    },
    async fetchBlobBytes(ref, digest, signal) {
      const res = await get(ref, `/blobs/${digest}`, {}, signal);
      return Buffer.from(await res.body.arrayBuffer());
    },
  };
}
