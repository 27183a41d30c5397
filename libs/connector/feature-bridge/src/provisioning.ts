// provisioning.json (Bosch IoT Suite format, §2.1.2): what it sets, and the merge rule "provisioning
// values first, then the config's non-empty values override". Pure.
import { isNamespacedId } from '@ledge/shared/model-edge';

export interface CloudSettings {
  readonly address: string;
  readonly deviceId: string;
  readonly tenantId: string;
  readonly authId: string;
  readonly password: string;
  readonly username: string;
  readonly policyId: string;
}

export type ProvisioningResult = { readonly ok: true; readonly settings: Partial<CloudSettings>; readonly x509: boolean } | { readonly ok: false; readonly problem: string };

const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function parseProvisioning(text: string): ProvisioningResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not JSON: ${(err as Error).message}` };
  }
  const root = obj(raw);
  const creds = obj(obj(obj(root?.['hub'])?.['credentials']));
  if (!root || !creds) return { ok: false, problem: 'missing hub.credentials' };
  const settings: Record<string, string> = {};
  const set = (k: keyof CloudSettings, v: unknown) => {
    const s = str(v);
    if (s !== undefined) settings[k] = s;
  };
  set('deviceId', creds['deviceId']);
  set('tenantId', creds['tenantId']);
  set('authId', creds['authId']);
  set('policyId', obj(obj(root['things'])?.['thing'])?.['policyId']);
  const secrets = Array.isArray(creds['secrets']) ? creds['secrets'] : [];
  for (const s of secrets) {
    const o = obj(s);
    const b64 = str(o?.['passwordBase64']);
    if (b64 !== undefined) {
      settings['password'] = Buffer.from(b64, 'base64').toString('utf8');
      break;
    }
    if (str(o?.['password']) !== undefined) {
      settings['password'] = o!['password'] as string;
      break;
    }
  }
  const adapters = Array.isArray(creds['adapters']) ? creds['adapters'] : [];
  const mqtt = adapters.map(obj).find((a) => a?.['type'] === 'mqtt');
  if (mqtt && str(mqtt['uri'])) {
    const port = mqtt['port'];
    settings['address'] = typeof port === 'number' || str(port) ? `${mqtt['uri'] as string}:${String(port)}` : (mqtt['uri'] as string);
  }
  if (settings['deviceId'] !== undefined && !isNamespacedId(settings['deviceId'])) {
    return { ok: false, problem: `device ID '${settings['deviceId']}' has invalid namespace ID` };
  }
  if (settings['deviceId'] === undefined || settings['tenantId'] === undefined) return { ok: false, problem: 'hub.credentials needs deviceId and tenantId' };
  return { ok: true, settings, x509: creds['type'] === 'x509-cert' };
}

/** Provisioning first, then every non-empty config value overrides (§2.1.2). */
export function mergeSettings(provisioned: Partial<CloudSettings>, config: CloudSettings, defaults: Partial<CloudSettings>): CloudSettings {
  const pick = (k: keyof CloudSettings): string => {
    const c = config[k];
    // A config value equal to the built-in default does not override what provisioning says.
    if (c !== '' && !(defaults[k] !== undefined && c === defaults[k] && provisioned[k] !== undefined)) return c;
    return provisioned[k] ?? '';
  };
  return {
    address: pick('address'),
    deviceId: pick('deviceId'),
    tenantId: pick('tenantId'),
    authId: pick('authId'),
    password: pick('password'),
    username: pick('username'),
    policyId: pick('policyId'),
  };
}
