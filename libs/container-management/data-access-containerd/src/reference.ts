// Image references and platforms, normalised like containerd/docker (docker.io/library/<name>:latest).
import { ctrdError, CtrdErrorCodes } from './errors';

export interface ImageReference {
  /** Registry host[:port] as written (docker.io for Docker Hub). */
  domain: string;
  /** Repository path, e.g. library/busybox. */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
  /** Normalised string form, the image name in containerd. */
  name: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function parseReference(ref: string): ImageReference {
  const bad = () => ctrdError(CtrdErrorCodes.INVALID_REFERENCE, { ref });
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 512) throw bad();
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad();
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad();
  }
  const slash = rest.indexOf('/');
  let domain = 'docker.io';
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (!PATH.test(path) || !/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(domain)) throw bad();
  if (!tag && !digest) tag = 'latest';
  const name = `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { domain, path, tag, digest, name };
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function hostPlatform(): Platform {
  switch (process.arch) {
    case 'arm64':
      return { os: 'linux', architecture: 'arm64' };
    case 'arm':
      return { os: 'linux', architecture: 'arm', variant: 'v7' };
    default:
      return { os: 'linux', architecture: 'amd64' };
  }
}

export function parsePlatform(text: string | undefined): Platform {
  if (!text) return hostPlatform();
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw ctrdError(CtrdErrorCodes.INVALID_REFERENCE, { ref: text });
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** An index entry matches when os and architecture match, and the variant when one is requested (arm64's v8 is implied). */
export function platformMatches(want: Platform, have: Partial<Platform> | undefined): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (!want.variant || !have.variant) return true;
  return want.variant === have.variant;
}
