// The cloud `address` of §2.1.1: `scheme://host:port`. Secure schemes (TLS): wss, ssl, tls, mqtts,
// mqtt+ssl, tcps; plain: tcp, mqtt, ws. Translated to the URL MQTT.js understands.
import { invalidAddressError } from './errors';

export interface CloudAddress {
  /** What MQTT.js connects to: mqtt://, mqtts://, ws:// or wss://. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly websocket: boolean;
}

const SCHEMES: Readonly<Record<string, { protocol: string; secure: boolean; port: number }>> = Object.freeze({
  tcp: { protocol: 'mqtt', secure: false, port: 1883 },
  mqtt: { protocol: 'mqtt', secure: false, port: 1883 },
  ws: { protocol: 'ws', secure: false, port: 80 },
  ssl: { protocol: 'mqtts', secure: true, port: 8883 },
  tls: { protocol: 'mqtts', secure: true, port: 8883 },
  mqtts: { protocol: 'mqtts', secure: true, port: 8883 },
  'mqtt+ssl': { protocol: 'mqtts', secure: true, port: 8883 },
  tcps: { protocol: 'mqtts', secure: true, port: 8883 },
  wss: { protocol: 'wss', secure: true, port: 443 },
});

export const SECURE_SCHEMES: readonly string[] = Object.freeze(Object.keys(SCHEMES).filter((s) => SCHEMES[s]!.secure));

export function parseCloudAddress(address: string): CloudAddress {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i.exec(address.trim());
  if (m === null) throw invalidAddressError(address, 'expected scheme://host[:port]');
  const scheme = SCHEMES[m[1]!.toLowerCase()];
  if (scheme === undefined) throw invalidAddressError(address, `unknown scheme "${m[1]}" (known: ${Object.keys(SCHEMES).join(', ')})`);
  const host = m[2]!;
  const port = m[3] === undefined ? scheme.port : Number(m[3]);
  if (!(port > 0 && port < 65_536)) throw invalidAddressError(address, 'port must be 1…65535');
  const websocket = scheme.protocol === 'ws' || scheme.protocol === 'wss';
  const path = websocket ? (m[4] ?? '/mqtt') : '';
  return { url: `${scheme.protocol}://${host}:${port}${path}`, host: host.replace(/^\[|\]$/g, ''), port, secure: scheme.secure, websocket };
}
