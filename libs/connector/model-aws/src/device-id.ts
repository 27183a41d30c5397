// §2.2: the AWS connector's device ID is the CN of its client certificate and must be `<ns>:<name>`.
import { X509Certificate } from 'node:crypto';
import { parseThingId } from '@ledge/shared/model-ditto';
import { invalidCertificateError, invalidDeviceIdError } from './errors';

/** The subject CN of a PEM (or DER) certificate; throws LEDGE_CONNECTOR_AWS_INVALID_CERTIFICATE. */
export function certificateCommonName(certificate: string | Buffer): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificate);
  } catch (err) {
    throw invalidCertificateError(err instanceof Error ? err.message : String(err), err);
  }
  // Node renders the subject one attribute per line: "C=DE\nO=Acme\nCN=demo:device".
  const cn = cert.subject
    .split('\n')
    .map((line) => /^CN=(.*)$/.exec(line)?.[1])
    .filter((v): v is string => v !== undefined);
  const last = cn.at(-1);
  if (last === undefined || last === '') throw invalidCertificateError('the subject has no CN');
  return last;
}

/** The device ID from the client certificate's CN, checked to be a namespaced thing ID (§0, §2.2). */
export function awsDeviceIdFromCertificate(certificate: string | Buffer): string {
  const deviceId = certificateCommonName(certificate);
  const parsed = parseThingId(deviceId);
  if (!parsed.ok) throw invalidDeviceIdError(deviceId, parsed.problems.join('; '));
  return deviceId;
}
