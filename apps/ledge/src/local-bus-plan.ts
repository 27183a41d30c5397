// `ledge run` hands every hosted app the broker's real listener and, when the broker refuses anonymous
// clients, an account of its own (issue 16): the user changes the broker's port or turns on local
// auth/TLS in one place. Port 0 ("any free port") is resolved here, before any app starts, so the apps
// are told the real port and a restarted broker process (--processes) comes back on the same one.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { envName, HOST_LOCAL_BUS_ENV, prepareConfig, type PrepareOptions } from '@ledge/shared/util';
import { connectorDurableSession } from '@ledge/connector/model-connector';
import type { HostedApp } from './apps';
import type { DevAccounts } from './dev-secrets';

export interface LocalBusPlan {
  /** Per app: values set over its own config (all-in-one). */
  readonly overrides: Readonly<Record<string, Record<string, unknown>>>;
  /** Per app: local-bus defaults (all-in-one). */
  readonly hostDefaults: Readonly<Record<string, Record<string, unknown>>>;
  /** Per app: the same as env vars for its child process (--processes). */
  readonly env: Readonly<Record<string, Record<string, string>>>;
  /** The accounts made for the hosted apps this run (none when the broker is not hosted); --dev keeps a copy (dev-secrets.ts). */
  readonly accounts?: DevAccounts;
}

const EMPTY: LocalBusPlan = Object.freeze({ overrides: {}, hostDefaults: {}, env: {} });

/** A port nothing listens on now, on the broker's bind address. */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host === '' ? '127.0.0.1' : host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The user names in the broker's password file; none when it cannot be read (the broker says why at start). */
function passwordFileUsers(path: string, parse: (text: string) => { username: string }[] | string): string[] {
  if (path === '') return [];
  try {
    const entries = parse(readFileSync(path, 'utf8'));
    return typeof entries === 'string' ? [] : entries.map((e) => e.username);
  } catch {
    return []; // unreadable here: the broker refuses to start with a message naming the file
  }
}

/** Throws a ConfigError on a bad broker config (exit 2 before anything starts). */
export async function planLocalBus(chosen: readonly HostedApp[], options: Omit<PrepareOptions, 'argv' | 'hostDefaults'>): Promise<LocalBusPlan> {
  const brokerApp = chosen.find((a) => a.name === 'broker');
  if (brokerApp === undefined) return EMPTY; // the apps dial whatever broker their own config names
  const { planHostedBus, parsePasswordFile } = await import('@ledge/broker/feature-broker');
  const config = prepareConfig(await brokerApp.load(), options).config as Record<string, unknown> as Parameters<typeof planHostedBus>[0] & { passwordFile: string };
  const pick = async (port: number) => (port === 0 ? freePort(config.host) : port);
  const ports = { port: await pick(config.port), tlsPort: await pick(config.tlsPort), wsPort: await pick(config.wsPort) };
  const plan = planHostedBus(
    { ...config, ...ports },
    {
      apps: chosen.map((a) => a.name),
      secret: () => randomBytes(24).toString('base64url'),
      existingUsers: passwordFileUsers(config.passwordFile, parsePasswordFile),
      sessionOf: (app) => (app === 'connector' ? connectorDurableSession() : undefined),
    },
  );
  const resolved = Object.fromEntries(Object.entries(ports).filter(([k, v]) => v !== config[k as keyof typeof ports]));
  const brokerOverrides = { ...resolved, ...plan.broker };
  const env: Record<string, Record<string, string>> = {
    broker: Object.fromEntries(
      Object.entries(brokerOverrides).map(([k, v]) => [envName('broker', k), typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  };
  for (const [app, defaults] of Object.entries(plan.apps)) env[app] = { [HOST_LOCAL_BUS_ENV]: JSON.stringify(defaults) };
  const accounts = Object.fromEntries(
    Object.entries(plan.apps).flatMap(([app, s]) => (s.localUsername && s.localPassword ? [[app, { username: s.localUsername, password: s.localPassword }]] : [])),
  );
  return { overrides: { broker: brokerOverrides }, hostDefaults: plan.apps as Record<string, Record<string, unknown>>, env, accounts };
}
