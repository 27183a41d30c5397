// What `ledge run` tells the apps it hosts about the broker it hosts (issue 16: changing the broker's
// port or turning on local auth/TLS is one setting). Pure: the host resolves port 0 and draws the random
// passwords, this decides which listener the apps dial and which accounts the broker gets.
import { createHash } from 'node:crypto';
import type { LocalBusSettings } from '@ledge/shared/util';
import type { BrokerSettings } from './config';
import type { DurableSession } from './durable-sessions';

export type BrokerListenerSettings = Pick<BrokerSettings, 'host' | 'port' | 'tlsPort' | 'tlsCa' | 'tlsCert' | 'wsPort' | 'allowAnonymous' | 'users' | 'ledgeAcl' | 'durableSessions'>;

export interface HostedBusOptions {
  /** The hosted apps, the broker among them. */
  readonly apps: readonly string[];
  /** A fresh random password for an app's account. */
  readonly secret: (app: string) => string;
  /** Accounts the user made in the broker's password file. */
  readonly existingUsers?: readonly string[];
  /** The session a hosted app needs to exist before anything is published (the connector's). */
  readonly sessionOf?: (app: string) => DurableSession | undefined;
}

export interface HostedBusPlan {
  /** Settings the broker runs with instead of its own (accounts and sessions added for the hosted apps). */
  readonly broker: Partial<Pick<BrokerSettings, 'users' | 'durableSessions'>>;
  /** Per hosted app: local-bus defaults (below anything the user set). */
  readonly apps: Readonly<Record<string, Partial<LocalBusSettings>>>;
}

/** The address local apps dial for a bind address: a wildcard means "dial loopback". */
function dialHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The listener the hosted apps dial, in order of preference: plain TCP (loopback needs no TLS), TLS (the
 * broker's CA, else its own certificate, as the trust anchor), WebSocket. Ports must be resolved (no 0).
 * Undefined when every listener is off.
 */
export function localEndpointOf(c: Pick<BrokerSettings, 'host' | 'port' | 'tlsPort' | 'tlsCa' | 'tlsCert' | 'wsPort'>): Pick<LocalBusSettings, 'localAddress' | 'localCACert'> | undefined {
  const host = dialHost(c.host);
  if (c.port > 0) return { localAddress: `tcp://${host}:${c.port}`, localCACert: '' };
  if (c.tlsPort > 0) return { localAddress: `mqtts://${host}:${c.tlsPort}`, localCACert: c.tlsCa !== '' ? c.tlsCa : c.tlsCert };
  if (c.wsPort > 0) return { localAddress: `ws://${host}:${c.wsPort}`, localCACert: '' };
  return undefined;
}

/** The broker account of a hosted app. */
export const hostedAppUser = (app: string) => `ledge-${app}`;

/**
 * Every hosted app gets the broker's real listener and an account of its own (`ledge-<app>`, a fresh
 * random password per run, stored hashed in the broker), so the broker can tell the connector from
 * anyone else (its built-in ACL, ledge-acl.ts) and admits the apps when anonymous clients are refused.
 * Not when the ACL is off and anonymous clients are welcome (Kanto's open bus), and not for an account
 * the user already made (`users` or the password file: `existingUsers`): its password is theirs.
 */
export function planHostedBus(broker: BrokerListenerSettings, options: HostedBusOptions): HostedBusPlan {
  const { apps, secret, existingUsers = [] } = options;
  const endpoint = localEndpointOf(broker);
  const clients = apps.filter((a) => a !== 'broker');
  if (endpoint === undefined) return { broker: {}, apps: {} };
  const declared = broker.durableSessions as DurableSession[];
  const sessions = clients.map((a) => options.sessionOf?.(a)).filter((s): s is DurableSession => s !== undefined && !declared.some((d) => d.clientId === s.clientId));
  const taken = new Set([...(broker.users as { username: string }[]).map((u) => u.username), ...existingUsers]);
  const open = broker.allowAnonymous && broker.ledgeAcl === 'off';
  const accounts = open ? [] : clients.filter((a) => !taken.has(hostedAppUser(a))).map((app) => ({ app, username: hostedAppUser(app), password: secret(app) }));
  return {
    broker: {
      ...(accounts.length > 0 ? { users: [...broker.users, ...accounts.map((a) => ({ username: a.username, password: `sha256:${createHash('sha256').update(a.password).digest('hex')}` }))] } : {}),
      ...(sessions.length > 0 ? { durableSessions: [...declared, ...sessions] } : {}),
    },
    apps: Object.fromEntries(
      clients.map((app) => {
        const account = accounts.find((a) => a.app === app);
        return [app, { ...endpoint, ...(account ? { localUsername: account.username, localPassword: account.password } : {}) }];
      }),
    ),
  };
}
