// AWS Signature Version 4 for the S3 requests, signed by @smithy/signature-v4 (the AWS SDK v3's own
// signer, issue 5: "signing with a kept library"), with node:crypto as its SHA-256. The library is
// loaded on the first signature, like undici on the first request, so an idle process never evaluates
// it. What stays here is URL building: S3 wants the path URI-encoded once, so the signer gets it
// encoded and `uriEscapePath: false` (as the SDK's S3 client does).
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { lazy } from '@ledge/shared/util';

const smithy = lazy(() => import('@smithy/signature-v4'));

export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface SigV4Request {
  readonly method: string;
  /** Raw path, e.g. `/bucket/a b.txt`; every segment is URI-encoded here (S3: once). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Lower-case or not; `host` must be present. `x-amz-content-sha256` is the payload hash. */
  readonly headers: Readonly<Record<string, string>>;
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
}

export interface SignedHeaders {
  readonly authorization: string;
  readonly signature: string;
  /** The request's headers as signed: the given ones plus `x-amz-date` (and `x-amz-security-token`). */
  readonly headers: Readonly<Record<string, string>>;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 requires. */
export function uriEncode(s: string, keepSlash = false): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, keepSlash ? '/' : '%2F');
}

export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The query string as SigV4 orders and encodes it (the signer computes the same for the signature). */
export function canonicalQuery(query: Readonly<Record<string, string>> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): Buffer | string =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** The signer's SHA-256 / HMAC-SHA256 (its `sha256` option) on node:crypto. */
class NodeSha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.make();
  }
  private make(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.make();
  }
}

export async function signV4(req: SigV4Request, creds: SigV4Credentials): Promise<SignedHeaders> {
  const { SignatureV4: Signer } = await smithy();
  const signer = new Signer({ service: req.service, region: req.region, credentials: { ...creds }, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const headers: Record<string, string> = {};
  let host = '';
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.toLowerCase() === 'x-amz-date') continue; // the signer sets it from signingDate
    if (k.toLowerCase() === 'host') host = v;
    headers[k] = v;
  }
  const d = req.amzDate;
  const signingDate = new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
  const signed = await signer.sign(
    { method: req.method.toUpperCase(), protocol: 'https:', hostname: host, path: uriEncode(req.path, true), query: { ...req.query }, headers },
    { signingDate },
  );
  const out = signed.headers as Record<string, string>;
  const authorization = out['authorization'] ?? '';
  return { authorization, signature: /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? '', headers: out };
}
