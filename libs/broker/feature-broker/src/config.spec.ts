import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, commonConfig, configTable, prepareConfig } from '@ledge/shared/util';
import { repoRoot } from '@ledge/shared/util/testing';
import { brokerEntry } from './broker-entry';
import { defaultBrokerConfig } from './config';

const load = (argv: string[] = [], env: Record<string, string> = {}, devDir?: string) =>
  prepareConfig(brokerEntry, { argv, env, configDir: '/nonexistent-ledge-test', ...(devDir ? { devDir } : {}) }).config;

describe('broker config', () => {
  it('has loopback-only, persistent defaults', () => {
    const c = load();
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 1883);
    assert.equal(c.tlsPort, -1);
    assert.equal(c.wsPort, -1);
    assert.equal(c.persistence, 'disk');
    assert.equal(c.dataDir, '/var/lib/ledge/broker');
    assert.equal(c.maxQueuedMessages, 10_000);
    assert.equal(c.allowAnonymous, true);
    assert.equal(c.allowAnonymousRemote, false);
    assert.deepEqual(c.sysLog, ['notice', 'subscribe', 'unsubscribe']);
    assert.equal(defaultBrokerConfig.maxPacketSize, 16 * 1024 * 1024);
  });

  it('puts the data dir under the dev dir when run from a checkout', () => {
    assert.equal(load([], {}, '/tmp/dev').dataDir, '/tmp/dev/broker');
  });

  it('takes flags and env, JSON for users and acl', () => {
    const users = JSON.stringify([{ username: 'a', password: 'sha256:' + '0'.repeat(64) }]);
    const c = load(['--port', '0', '--users', users, '--sysLog', 'subscribe'], { LEDGE_BROKER_ACL: '[{"permission":"allow","action":"both","topic":"#"}]' });
    assert.equal(c.port, 0);
    assert.deepEqual(c.users, [{ username: 'a', password: 'sha256:' + '0'.repeat(64) }]);
    assert.equal((c.acl as unknown[]).length, 1);
    assert.deepEqual(c.sysLog, ['subscribe']);
  });

  it('refuses bad values with a message naming the key', () => {
    const bad: [string[], RegExp][] = [
      [['--port', '70000'], /'port'.*above the maximum/],
      [['--port', '1.5'], /'port'.*integer/],
      [['--persistence', 'tape'], /'persistence'/],
      [['--acl', '[{"permission":"allow","action":"both","topic":"a/#/b"}]'], /'acl'.*rule 0/],
      [['--acl', '{}'], /'acl'/],
      [['--users', '[{"username":"a"}]'], /'users'.*entry 0/],
      [['--users', '[{"username":"a","password":"x"},{"username":"a","password":"y"}]'], /'users'.*duplicate/],
      [['--users', '[{"username":"a","password":"$7$x$y$z"}]'], /'users'.*\$7\$/],
      [['--sysLog', 'debug'], /'sysLog'.*unknown log type/],
      [['--maxPacketSize', '10'], /'maxPacketSize'/],
    ];
    for (const [argv, re] of bad) {
      assert.throws(() => load(argv), (err: unknown) => err instanceof ConfigError && re.test(err.message), argv.join(' '));
    }
  });

  it('is documented: the README holds the generated table', () => {
    const readme = readFileSync(join(repoRoot, 'apps/broker/README.md'), 'utf8');
    assert.ok(readme.includes(configTable('broker', { ...commonConfig, ...brokerEntry.spec })), 'regenerate the table in apps/broker/README.md');
  });

  it('loads the packaged config file', () => {
    const c = load(['--config', join(repoRoot, 'apps/broker/packaging/broker.json')]);
    assert.equal(c.dataDir, '/var/lib/ledge/broker');
  });
});
