import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareConfig, type AppEntry } from './app-entry';
import { ConfigError, defineConfig, loadConfig } from './config';
import { devSecretsDir, HOST_LOCAL_BUS_ENV, kantoLocalBusAliases, localAddressProblem, localBusEnvName, localBusSpec, localPasswordFileOf, LOCAL_BUS_KEYS } from './local-bus-config';

const spec = defineConfig({ ...localBusSpec, featureId: { type: 'string', default: 'F', describe: 'feature' } });

const files = (content: Record<string, unknown>) => (p: string) => {
  if (p in content) return typeof content[p] === 'string' ? (content[p] as string) : JSON.stringify(content[p]);
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

const load = (o: { env?: Record<string, string>; files?: Record<string, unknown>; argv?: string[]; defaults?: Record<string, unknown>; aliases?: Record<string, string> } = {}) =>
  loadConfig({ app: 'software-update', spec, argv: o.argv ?? [], env: o.env ?? {}, readFile: files(o.files ?? {}), ...(o.defaults ? { defaults: o.defaults } : {}), aliases: o.aliases ?? kantoLocalBusAliases });

describe('the one local-bus setting', () => {
  it('names its env vars LEDGE_LOCAL_BUS_<KEY>', () => {
    assert.deepEqual(LOCAL_BUS_KEYS.map(localBusEnvName), ['LEDGE_LOCAL_BUS_ADDRESS', 'LEDGE_LOCAL_BUS_USERNAME', 'LEDGE_LOCAL_BUS_PASSWORD', 'LEDGE_LOCAL_BUS_PASSWORD_FILE', 'LEDGE_LOCAL_BUS_CACERT', 'LEDGE_LOCAL_BUS_CERT', 'LEDGE_LOCAL_BUS_KEY']);
  });

  it("names an app's password file as the packages do (/etc/ledge/secrets/<app>.password) and `ledge run --dev`'s copy", () => {
    assert.equal(localPasswordFileOf('update-manager'), '/etc/ledge/secrets/update-manager.password');
    assert.equal(localPasswordFileOf('connector', devSecretsDir('/tmp/dev/')), '/tmp/dev/secrets/connector.password');
    assert.equal(localPasswordFileOf('connector', devSecretsDir('.ledge-dev')), '.ledge-dev/secrets/connector.password');
  });

  it('precedence: default < host default < local-bus.json < LEDGE_LOCAL_BUS_* < app file < app env < flag', () => {
    const shared = { '/etc/ledge/local-bus.json': { localAddress: 'tcp://shared-file:1', localUsername: 'u-file', localPassword: 'p-file' } };
    const host = { localAddress: 'tcp://host:1', localCACert: '/host/ca.pem' };
    const steps: [string, Parameters<typeof load>[0], string, string][] = [
      ['default', {}, 'tcp://127.0.0.1:1883', 'default'],
      ['host', { defaults: host }, 'tcp://host:1', 'default'],
      ['shared file', { defaults: host, files: shared }, 'tcp://shared-file:1', 'shared-file'],
      ['shared env', { defaults: host, files: shared, env: { LEDGE_LOCAL_BUS_ADDRESS: 'tcps://shared-env:2' } }, 'tcps://shared-env:2', 'shared-env'],
      ['app file', { files: { ...shared, '/etc/ledge/software-update.json': { localAddress: 'ssl://app-file:3' } }, env: { LEDGE_LOCAL_BUS_ADDRESS: 'tcp://x:2' } }, 'ssl://app-file:3', 'file'],
      ['app env', { env: { LEDGE_LOCAL_BUS_ADDRESS: 'tcp://x:2', LEDGE_SOFTWARE_UPDATE_LOCAL_ADDRESS: 'ws://app-env:4' } }, 'ws://app-env:4', 'env'],
      ['flag', { env: { LEDGE_SOFTWARE_UPDATE_LOCAL_ADDRESS: 'ws://app-env:4' }, argv: ['--localAddress', 'mqtts://flag:5'] }, 'mqtts://flag:5', 'flag'],
    ];
    for (const [name, o, address, source] of steps) {
      const { config, sources } = load(o);
      assert.equal(config.localAddress, address, name);
      assert.equal(sources.localAddress, source, name);
    }
    const { config } = load({ defaults: host, files: shared });
    assert.deepEqual([config.localUsername, config.localPassword, config.localCACert], ['u-file', 'p-file', '/host/ca.pem'], 'keys the shared file leaves out keep the host default');
  });

  it("Kanto's names are aliases in the file, as env vars and as flags", () => {
    const file = load({ files: { '/etc/ledge/software-update.json': { broker: 'tcps://k:8883', caCert: '/ca.pem', username: 'su', password: 'pw' } } }).config;
    assert.deepEqual([file.localAddress, file.localCACert, file.localUsername, file.localPassword], ['tcps://k:8883', '/ca.pem', 'su', 'pw']);
    assert.equal(load({ env: { LEDGE_SOFTWARE_UPDATE_BROKER: 'tcp://e:1' } }).config.localAddress, 'tcp://e:1');
    assert.equal(load({ argv: ['--broker', 'tcp://f:1', '--cert', '/c', '--key', '/k'] }).config.localAddress, 'tcp://f:1');
    assert.equal(load({ argv: ['--cert', '/c', '--key', '/k'] }).config.localKey, '/k');
  });

  it('refuses a setting given under two names, unknown keys in local-bus.json and bad addresses', () => {
    assert.throws(() => load({ files: { '/etc/ledge/software-update.json': { broker: 'tcp://a:1', localAddress: 'tcp://b:1' } } }), /'localAddress' and 'broker' are the same setting|'broker' and 'localAddress' are the same setting/);
    assert.throws(() => load({ env: { LEDGE_SOFTWARE_UPDATE_BROKER: 'tcp://a:1', LEDGE_SOFTWARE_UPDATE_LOCAL_ADDRESS: 'tcp://b:1' } }), /same setting/);
    assert.throws(() => load({ files: { '/etc/ledge/local-bus.json': { localAdress: 'tcp://a:1' } } }), (e: unknown) => e instanceof ConfigError && /local-bus\.json: unknown key 'localAdress'/.test(e.message));
    assert.throws(() => load({ files: { '/etc/ledge/local-bus.json': '{oops' } }), /local-bus\.json: not valid JSON/);
    assert.equal(load({ env: { LEDGE_LOCAL_BUS_CONFIG: '/srv/bus.json' }, files: { '/srv/bus.json': { localAddress: 'tcp://srv:1' } } }).config.localAddress, 'tcp://srv:1', 'LEDGE_LOCAL_BUS_CONFIG names another file');
    assert.throws(() => load({ env: { LEDGE_LOCAL_BUS_CONFIG: '/srv/none.json' } }), /\/srv\/none\.json: cannot be read/, 'a file named explicitly must exist');
    assert.throws(() => load({ env: { LEDGE_LOCAL_BUS_ADDRESS: 'http://x:1' } }), /LEDGE_LOCAL_BUS_ADDRESS.*unsupported scheme "http"/);
    const table: [unknown, RegExp | undefined][] = [
      ['tcp://127.0.0.1:1883', undefined],
      ['tcps://gw.local:8883', undefined],
      ['mqtt+ssl://[::1]:8883', undefined],
      ['wss://h/mqtt', undefined],
      ['mqtt+unix:///run/ledge/mqtt.sock', undefined],
      ['mqtt+unix://relative.sock', /absolute path/],
      ['127.0.0.1:1883', /must be <scheme>:\/\//],
      ['tcp://', /must be <scheme>/],
      ['ftp://h:1', /unsupported scheme/],
      [42, /must be a string/],
    ];
    for (const [value, want] of table) {
      const got = localAddressProblem(value);
      if (want === undefined) assert.equal(got, undefined, String(value));
      else assert.match(String(got), want, String(value));
    }
  });

  it('apps without the local-bus keys ignore the shared layer', () => {
    const broker = defineConfig({ port: { type: 'number', default: 1883, describe: 'port' } });
    const r = loadConfig({ app: 'broker', spec: broker, env: { LEDGE_LOCAL_BUS_ADDRESS: 'nonsense' }, readFile: files({ '/etc/ledge/local-bus.json': '{oops' }) });
    assert.equal(r.config.port, 1883);
  });

  it('prepareConfig takes the host defaults from LEDGE_HOST_LOCAL_BUS, only for local-bus keys the app has', () => {
    const entry: AppEntry<typeof spec> = { name: 'software-update', summary: '', spec, create: () => ({ start: async () => undefined, close: async () => undefined }), aliases: kantoLocalBusAliases };
    const env = { [HOST_LOCAL_BUS_ENV]: JSON.stringify({ localAddress: 'tcp://127.0.0.1:4242', localUsername: 'ledge-software-update', localPassword: 's3cret', featureId: 'not-a-bus-key' }) };
    const { config, sources } = prepareConfig(entry, { env, configDir: '/nonexistent' });
    assert.deepEqual([config.localAddress, config.localUsername, config.localPassword, config.featureId], ['tcp://127.0.0.1:4242', 'ledge-software-update', 's3cret', 'F']);
    assert.equal(sources.localAddress, 'default');
    const user = prepareConfig(entry, { env: { ...env, LEDGE_SOFTWARE_UPDATE_BROKER: 'tcp://mine:1' }, configDir: '/nonexistent' }).config;
    assert.equal(user.localAddress, 'tcp://mine:1', 'what the user set wins');
    assert.throws(() => prepareConfig(entry, { env: { [HOST_LOCAL_BUS_ENV]: '[1]' }, configDir: '/nonexistent' }), /LEDGE_HOST_LOCAL_BUS: must be a JSON object/);
  });
});
