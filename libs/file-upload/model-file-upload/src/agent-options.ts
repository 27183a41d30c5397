// Options of the undici Agent each upload provider makes for itself. Plain data, so this model lib does
// not load undici; the providers pass it to `new Agent()` on their first upload.
import { rootCertificates } from 'node:tls';

export interface UploadAgentOptions {
  readonly keepAliveTimeout: number;
  readonly connect?: { readonly ca: string[] };
}

/**
 * `serverCert` is trusted in addition to the public CAs (README, §6.1). undici's `connect.ca`, like
 * tls.connect's `ca`, replaces Node's bundled roots, so they are listed again before the configured PEM
 * (which may hold several certificates).
 */
export function uploadAgentOptions(ca?: string | Buffer): UploadAgentOptions {
  const pem = ca === undefined ? '' : ca.toString();
  return pem.trim() === '' ? { keepAliveTimeout: 10_000 } : { keepAliveTimeout: 10_000, connect: { ca: [...rootCertificates, pem] } };
}
