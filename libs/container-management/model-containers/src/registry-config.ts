// Kanto's `registry_configurations` (§4.1) in Ledge's camelCase config key `registryConfigurations`:
// {"<host[:port]>": {"credentials": {"user_id", "password"}, "transport": {"root_ca", "client_cert",
// "client_key"}}} → per-registry credentials and TLS file paths, or the problems found. Pure: the
// files are read by the app.

export interface RegistrySettings {
  credentials?: { username: string; password: string };
  /** File paths (PEM). */
  tls?: { rootCa?: string; clientCert?: string; clientKey?: string };
}

export type RegistryConfigResult = { ok: true; registries: Record<string, RegistrySettings> } | { ok: false; problems: string[] };

const HOST = /^[a-zA-Z0-9.-]+(?::\d{1,5})?$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRegistryConfigurations(input: unknown): RegistryConfigResult {
  if (!isObject(input)) return { ok: false, problems: ['must be an object keyed by registry host[:port]'] };
  const problems: string[] = [];
  const registries: Record<string, RegistrySettings> = {};
  const str = (o: Record<string, unknown>, key: string, where: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') {
      problems.push(`${where}.${key} must be a string`);
      return undefined;
    }
    return v;
  };
  for (const [host, raw] of Object.entries(input)) {
    if (!HOST.test(host)) {
      problems.push(`"${host}" is not a registry host[:port]`);
      continue;
    }
    if (!isObject(raw)) {
      problems.push(`"${host}" must be an object with credentials and/or transport`);
      continue;
    }
    const settings: RegistrySettings = {};
    if (raw['credentials'] !== undefined) {
      if (!isObject(raw['credentials'])) problems.push(`"${host}".credentials must be an object`);
      else {
        const user = str(raw['credentials'], 'user_id', `"${host}".credentials`);
        const password = str(raw['credentials'], 'password', `"${host}".credentials`) ?? '';
        if (user !== undefined) settings.credentials = { username: user, password };
      }
    }
    if (raw['transport'] !== undefined) {
      if (!isObject(raw['transport'])) problems.push(`"${host}".transport must be an object`);
      else {
        const where = `"${host}".transport`;
        const rootCa = str(raw['transport'], 'root_ca', where);
        const clientCert = str(raw['transport'], 'client_cert', where);
        const clientKey = str(raw['transport'], 'client_key', where);
        if ((clientCert === undefined) !== (clientKey === undefined)) problems.push(`${where}: client_cert and client_key go together`);
        if (rootCa !== undefined || clientCert !== undefined) {
          settings.tls = { ...(rootCa ? { rootCa } : {}), ...(clientCert ? { clientCert } : {}), ...(clientKey ? { clientKey } : {}) };
        }
      }
    }
    for (const k of Object.keys(raw)) if (k !== 'credentials' && k !== 'transport') problems.push(`"${host}".${k} is not a known key (credentials, transport)`);
    registries[host] = settings;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, registries };
}
