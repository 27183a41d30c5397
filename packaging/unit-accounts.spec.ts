// The packaged units' local-bus wiring (issues 17 and 23), read from the sources (no build needed): every
// app that dials the broker names its ledge-common account in its unit's environment (and in ledge.service
// when hosted there), the broker its password file and the connector's durable session; the configs in
// /etc/ledge stay the user's, so one written from scratch keeps the accounts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectorDurableSession } from '@ledge/connector/model-connector';
import { discoverApps, type AppPackage } from './lib/apps.mjs';
import { BROKER_PASSWD, localBusAccounts } from './lib/secrets.mjs';

const root = join(import.meta.dirname, '..');

describe('packaged units: local bus accounts and sessions', () => {
  const apps = discoverApps({ root });
  it("every app that dials the broker names its account in its unit's environment, the broker its password file; the configs are the user's", () => {
    const accounts = localBusAccounts({ appsDir: join(root, 'apps') });
    assert.deepEqual(accounts.map((a) => a.app), ['connector', 'container-management', 'file-backup', 'file-upload', 'software-update', 'system-metrics', 'update-manager']);
    const conf = (a: AppPackage) => JSON.parse(readFileSync(a.configSource, 'utf8')) as Record<string, unknown>;
    // Environment=K=V or Environment="K=V" (systemd unescapes \" inside the quotes); one assignment per line here.
    const environment = (unit: string) =>
      new Map(
        unit
          .split('\n')
          .filter((l) => l.startsWith('Environment='))
          .map((l) => {
            const raw = l.slice('Environment='.length);
            const text = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/\\"/g, '"') : raw;
            const eq = text.indexOf('=');
            return [text.slice(0, eq), text.slice(eq + 1)] as [string, string];
          }),
      );
    const allInOne = readFileSync(join(root, 'apps', 'ledge', 'packaging', 'ledge.service'), 'utf8');
    const hosted = (/^ExecStart=\S+ run --apps (\S+)$/m.exec(allInOne)?.[1] ?? '').split(',');
    const prefix = (app: string) => `LEDGE_${app.toUpperCase().replace(/-/g, '_')}_`;
    for (const acc of accounts) {
      const a = apps.find((x) => x.app === acc.app)!;
      const unit = readFileSync(a.unitSource, 'utf8');
      for (const [where, env] of [[a.unitSource, environment(unit)], ...(hosted.includes(a.app) ? [['ledge.service', environment(allInOne)] as const] : [])] as const) {
        assert.equal(env.get(`${prefix(a.app)}LOCAL_USERNAME`), `ledge-${a.app}`, `${where}: ${a.app}'s account`);
        assert.equal(env.get(`${prefix(a.app)}LOCAL_PASSWORD_FILE`), `/etc/ledge/secrets/${a.app}.password`, `${where}: ${a.app}'s password file`);
      }
      // A config written from scratch (install.md: "put the credentials in /etc/ledge/connector.json") keeps the account.
      assert.equal(conf(a)['localUsername'], undefined, `${a.app}: no account in the packaged config`);
      assert.equal(acc.user, /^User=(\S+)$/m.exec(unit)?.[1], `${a.app}: the password belongs to the unit's user`);
    }
    const brokerApp = apps.find((x) => x.app === 'broker')!;
    for (const unit of [readFileSync(brokerApp.unitSource, 'utf8'), allInOne]) assert.equal(environment(unit).get('LEDGE_BROKER_PASSWORD_FILE'), BROKER_PASSWD);
    // The connector's session exists before the per-app broker opens its listeners (issue 17); ledge run
    // (ledge.service) declares it itself.
    const declared = JSON.parse(environment(readFileSync(brokerApp.unitSource, 'utf8')).get('LEDGE_BROKER_DURABLE_SESSIONS') ?? '[]') as unknown;
    assert.deepEqual(declared, [connectorDurableSession()], "ledge-broker.service declares the connector's session as @ledge/connector/model-connector says it");
    const broker = conf(brokerApp);
    assert.equal(broker['passwordFile'], undefined);
    assert.equal(broker['allowAnonymous'], undefined, "allowAnonymous stays at its default: Kanto's third-party apps connect anonymously");
    assert.equal(broker['ledgeAcl'], undefined, 'ledgeAcl auto: on because the broker knows ledge-connector');
  });

});
