// The shared local-bus setting (localBusSpec in @ledge/shared/util) → local-bus client options: one place that
// maps Kanto's schemes onto MQTT.js's and reads the CA, certificate and key files, so every app dials
// the broker the same way. A file that cannot be read is a config error naming its key (exit 2).
import { readFileSync } from 'node:fs';
import { ConfigError, localAddressProblem, type LocalBusSettings } from '@ledge/shared/util';
import type { LocalBusClientOptions } from './options';

/** Kanto's secure and plain schemes as MQTT.js names them. */
const SCHEME_MAP: Readonly<Record<string, string>> = Object.freeze({ tcp: 'mqtt', ssl: 'mqtts', tls: 'mqtts', tcps: 'mqtts', 'mqtt+ssl': 'mqtts' });

/** `tcp://h:p` → `mqtt://h:p`, `tls://…`/`ssl://…`/`tcps://…`/`mqtt+ssl://…` → `mqtts://…`; other schemes unchanged. */
export function toClientUrl(address: string): string {
  const m = /^([a-z+]+):\/\//.exec(address);
  const mapped = m === null ? undefined : SCHEME_MAP[m[1]!];
  return mapped === undefined ? address : `${mapped}${address.slice(m![1]!.length)}`;
}

export interface LocalBusSettingsIo {
  readFile(path: string): Buffer;
}

const defaultIo: LocalBusSettingsIo = { readFile: (p) => readFileSync(p) };

/** Connection options of the local-bus client from the shared setting; throws ConfigError on a bad value. */
export function localBusClientOptions(settings: LocalBusSettings, io: LocalBusSettingsIo = defaultIo): Pick<LocalBusClientOptions, 'url' | 'username' | 'password' | 'ca' | 'cert' | 'key'> {
  const problem = localAddressProblem(settings.localAddress);
  if (problem !== undefined) throw new ConfigError(`config key 'localAddress': ${JSON.stringify(settings.localAddress)} ${problem}`, { key: 'localAddress' });
  if ((settings.localCert === '') !== (settings.localKey === '')) {
    throw new ConfigError("config keys 'localCert' and 'localKey': set both (a client certificate and its key) or neither", { key: settings.localCert === '' ? 'localCert' : 'localKey' });
  }
  if (settings.localPassword !== '' && settings.localPasswordFile !== '') {
    throw new ConfigError("config keys 'localPassword' and 'localPasswordFile': set one", { key: 'localPasswordFile' });
  }
  const file = (key: 'localCACert' | 'localCert' | 'localKey' | 'localPasswordFile'): Buffer | undefined => {
    const path = settings[key];
    if (path === '') return undefined;
    try {
      return io.readFile(path);
    } catch (err) {
      throw new ConfigError(`config key '${key}': cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { key, file: path });
    }
  };
  const ca = file('localCACert');
  const cert = file('localCert');
  const key = file('localKey');
  const password = settings.localPasswordFile === '' ? settings.localPassword : (file('localPasswordFile')!.toString('utf8').split(/\r?\n/)[0] ?? '');
  return {
    url: toClientUrl(settings.localAddress),
    ...(settings.localUsername !== '' ? { username: settings.localUsername, password } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
  };
}
