import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, prepareConfig } from '@ledge/shared/util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogger } from '@ledge/shared/util/testing';
import { containerManagementEntry, createContainerManagementApp, registriesFromConfig } from './entry';
import { createMemoryRuntime } from './testing/memory-runtime';

describe('containerManagementEntry config', () => {
  it('defaults match the brief (Kanto §4.1 adapted to Ledge paths)', () => {
    const { config } = prepareConfig(containerManagementEntry, { argv: [], env: {}, configDir: '/nonexistent' });
    assert.equal(config.containerdSocket, '/run/containerd/containerd.sock');
    assert.equal(config.namespace, 'ledge');
    assert.equal(config.homeDir, '/var/lib/ledge/container-management');
    assert.equal(config.deploymentDir, '/etc/ledge/containers');
    assert.equal(config.deploymentMode, 'update');
    assert.equal(config.deploymentEnable, true);
    assert.equal(config.defaultStopTimeout, 30);
    assert.equal(config.localAddress, 'tcp://127.0.0.1:1883');
  });

  it('dev defaults live under the dev dir; env and flags override; bad values are config errors', () => {
    const dev = prepareConfig(containerManagementEntry, { argv: [], env: {}, configDir: '/nonexistent', devDir: '/tmp/dev' }).config;
    assert.equal(dev.homeDir, '/tmp/dev/container-management');
    assert.equal(dev.deploymentDir, '/tmp/dev/container-management/deployment');
    const env = prepareConfig(containerManagementEntry, {
      argv: ['--deploymentMode', 'init'],
      env: { LEDGE_CONTAINER_MANAGEMENT_INSECURE_REGISTRIES: 'a:5000,b', LEDGE_CONTAINER_MANAGEMENT_NAMESPACE: 'x' },
      configDir: '/nonexistent',
    }).config;
    assert.deepEqual(env.insecureRegistries, ['a:5000', 'b']);
    assert.equal(env.namespace, 'x');
    assert.equal(env.deploymentMode, 'init');
    assert.throws(() => prepareConfig(containerManagementEntry, { argv: ['--deploymentMode', 'sometimes'], env: {}, configDir: '/nonexistent' }), ConfigError);
  });

  it('registryConfigurations: credentials and TLS files per registry; unreadable or malformed → ConfigError naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledge-cm-reg-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const { config } = prepareConfig(containerManagementEntry, {
      argv: [],
      env: { LEDGE_CONTAINER_MANAGEMENT_REGISTRY_CONFIGURATIONS: JSON.stringify({ 'reg.local:5000': { credentials: { user_id: 'u', password: 'p' }, transport: { root_ca: join(dir, 'ca.pem') } } }) },
      configDir: '/nonexistent',
    });
    const r = registriesFromConfig(config.registryConfigurations);
    assert.deepEqual(r['reg.local:5000']?.credentials, { username: 'u', password: 'p' });
    assert.equal(r['reg.local:5000']?.tls?.ca?.toString(), 'CA');
    assert.throws(() => registriesFromConfig({ h: { transport: { root_ca: join(dir, 'missing.pem') } } }), (e: unknown) => e instanceof ConfigError && /registryConfigurations.*root_ca.*ENOENT/.test(e.message));
    assert.throws(() => registriesFromConfig({ 'not a host': {} }), (e: unknown) => e instanceof ConfigError && /registryConfigurations/.test(e.message));
  });
});

describe('containers update agent config (issue 18)', () => {
  const load = (argv: string[] = [], file?: Record<string, unknown>, devDir?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'ledge-cm-ua-'));
    if (file) writeFileSync(join(dir, 'container-management.json'), JSON.stringify(file));
    return prepareConfig(containerManagementEntry, { argv, env: {}, configDir: dir, ...(devDir ? { devDir } : {}) }).config;
  };
  const app = (config: ReturnType<typeof load>) => createContainerManagementApp(config, { logger: captureLogger().logger, createRuntime: () => createMemoryRuntime() });

  it('off by default as in Kanto, on under npm start (dev defaults)', () => {
    const c = load();
    assert.deepEqual([c.updateAgentEnable, c.updateAgentDomain, c.systemContainers, c.verboseInventoryReport, c.updateAgentActivationTimeout], [false, 'containers', [], false, 60]);
    assert.equal(app(c).cm.updateAgent, undefined);
    const dev = load([], undefined, '/tmp/dev');
    assert.equal(dev.updateAgentEnable, true);
    assert.equal(app(dev).cm.updateAgent?.topics.desiredState, 'containersupdate/desiredstate');
  });

  it("takes Kanto's flags and its update_agent section", () => {
    const flags = load(['--ua-enable', '--ua-domain', 'apps', '--ua-system-containers', 'connector,broker']);
    assert.deepEqual([flags.updateAgentEnable, flags.updateAgentDomain, flags.systemContainers], [true, 'apps', ['connector', 'broker']]);
    assert.equal(app(flags).cm.updateAgent?.topics.command, 'appsupdate/desiredstate/command');
    const file = load([], { update_agent: { enable: true, domain: 'self-update', system_containers: ['x'], verbose_inventory_report: true } });
    assert.deepEqual(file.kantoUpdateAgent, { enable: true, domain: 'self-update', system_containers: ['x'], verbose_inventory_report: true });
    assert.equal(app(file).cm.updateAgent?.topics.feedback, 'selfupdate/desiredstatefeedback');
  });

  it('a bad section, or one that disagrees with a key, is a config error naming both', () => {
    assert.throws(() => load([], { update_agent: { enabled: true } }), (e: unknown) => e instanceof ConfigError && /unknown field 'enabled'/.test(e.message));
    assert.throws(() => load([], { update_agent: { domain: 'a/b' } }), (e: unknown) => e instanceof ConfigError && /'domain' must be a domain id/.test(e.message));
    assert.throws(() => load(['--updateAgentDomain', 'a/b']), (e: unknown) => e instanceof ConfigError && /updateAgentDomain/.test(e.message));
    const clash = load(['--updateAgentDomain', 'apps'], { update_agent: { domain: 'other' } });
    assert.throws(() => app(clash), (e: unknown) => e instanceof ConfigError && /'updateAgentDomain' and 'update_agent\.domain' \(Kanto's form\) disagree/.test(e.message));
  });
});
