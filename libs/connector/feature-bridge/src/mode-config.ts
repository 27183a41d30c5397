// Which config keys each `mode` needs and which it does not use (§2.1.1, §2.2, §2.3). A key counts as
// set when it differs from its default. Problems are ConfigErrors naming the key (exit code 2).
import { ConfigError } from '@ledge/shared/util';
import { connectorSpec } from './config';

type Key = keyof typeof connectorSpec;

interface ModeKeys {
  readonly required: readonly Key[];
  readonly unused: readonly Key[];
  /** Why a required key is needed / an unused one is refused. */
  readonly why: string;
}

const HONO_IDENTITY: readonly Key[] = ['deviceId', 'authId', 'password', 'username', 'policyId'];

export const MODE_KEYS: Readonly<Record<'hono' | 'aws' | 'azure', ModeKeys>> = Object.freeze({
  hono: { required: [], unused: ['topicFilter', 'payloadFilters', 'connectionString', 'idScope'], why: 'hono' },
  aws: { required: ['address', 'cert', 'key'], unused: [...HONO_IDENTITY, 'connectionString', 'idScope'], why: 'aws (mutual TLS; the device ID is the certificate CN)' },
  azure: { required: ['connectionString'], unused: [...HONO_IDENTITY, 'topicFilter', 'payloadFilters'], why: 'azure (identity and credentials come from the connection string)' },
});

const isSet = (config: Readonly<Record<string, unknown>>, key: Key) => JSON.stringify(config[key]) !== JSON.stringify(connectorSpec[key].default);

/** Throws a ConfigError for a missing or misplaced key of `config.mode`; returns warnings to log. */
export function checkModeConfig(config: Readonly<Record<string, unknown>>): string[] {
  const mode = config['mode'] as keyof typeof MODE_KEYS;
  const keys = MODE_KEYS[mode];
  if (keys === undefined) return [];
  const warnings: string[] = [];
  if (mode === 'azure' && !isSet(config, 'connectionString') && isSet(config, 'idScope')) {
    throw new ConfigError(`config key 'connectionString': required in mode azure (idScope: Device Provisioning Service is not implemented)`, { key: 'connectionString' });
  }
  for (const key of keys.required) {
    if (!isSet(config, key)) throw new ConfigError(`config key '${key}': required in mode ${keys.why}`, { key });
  }
  for (const key of keys.unused) {
    if (isSet(config, key)) throw new ConfigError(`config key '${key}': not used in mode ${keys.why}`, { key });
  }
  if (isSet(config, 'cert') !== isSet(config, 'key')) {
    const missing = isSet(config, 'cert') ? 'key' : 'cert';
    throw new ConfigError(`config key '${missing}': cert and key go together`, { key: missing });
  }
  if (mode === 'azure' && isSet(config, 'idScope')) warnings.push('idScope is ignored: Device Provisioning Service is not implemented');
  return warnings;
}
