import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, defineConfig, envName, loadConfig, configTable } from './config';

const spec = defineConfig({
  port: { type: 'number', default: 1883, describe: 'port', min: 0, max: 65535 },
  host: { type: 'string', default: '127.0.0.1', describe: 'host' },
  verbose: { type: 'boolean', default: false, describe: 'verbose' },
  tags: { type: 'string[]', default: [] as string[], describe: 'tags' },
  mode: { type: 'string', default: 'a', describe: 'mode', choices: ['a', 'b'] },
  users: { type: 'json', default: [] as unknown[], describe: 'users' },
});

const files = (content: Record<string, string>) => (p: string) => {
  if (p in content) return content[p]!;
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

describe('loadConfig', () => {
  it('uses embedded defaults when there is no file, env or flag', () => {
    const { config, sources, configFile } = loadConfig({ app: 'broker', spec, argv: [], env: {}, readFile: files({}) });
    assert.equal(config.port, 1883);
    assert.equal(sources.port, 'default');
    assert.equal(configFile, undefined);
    assert.ok(Object.isFrozen(config));
  });

  it('applies default < file < env < flag', () => {
    const readFile = files({ '/etc/ledge/broker.json': JSON.stringify({ port: 1, host: 'file', verbose: true }) });
    const { config, sources } = loadConfig({
      app: 'broker',
      spec,
      argv: ['--port', '3'],
      env: { LEDGE_BROKER_PORT: '2', LEDGE_BROKER_HOST: 'env' },
      readFile,
    });
    assert.equal(config.port, 3);
    assert.equal(sources.port, 'flag');
    assert.equal(config.host, 'env');
    assert.equal(sources.host, 'env');
    assert.equal(config.verbose, true);
    assert.equal(sources.verbose, 'file');
  });

  it('reads --config and LEDGE_<APP>_CONFIG files', () => {
    const readFile = files({ '/x.json': '{"port": 7}' });
    assert.equal(loadConfig({ app: 'broker', spec, argv: ['--config', '/x.json'], env: {}, readFile }).config.port, 7);
    assert.equal(loadConfig({ app: 'broker', spec, argv: [], env: { LEDGE_BROKER_CONFIG: '/x.json' }, readFile }).config.port, 7);
  });

  const bad: [string, Parameters<typeof loadConfig>[0], RegExp][] = [
    ['a number out of range', { app: 'broker', spec, argv: ['--port', '70000'] }, /'port'.*maximum/],
    ['a non-number', { app: 'broker', spec, env: { LEDGE_BROKER_PORT: 'abc' } }, /'port'.*expected a number/],
    ['a bad boolean', { app: 'broker', spec, env: { LEDGE_BROKER_VERBOSE: 'yes' } }, /'verbose'/],
    ['a value outside the choices', { app: 'broker', spec, argv: ['--mode', 'c'] }, /'mode'.*not one of/],
    ['an unknown flag', { app: 'broker', spec, argv: ['--nope', '1'] }, /nope/i],
    ['invalid JSON in a flag', { app: 'broker', spec, argv: ['--users', '{'] }, /'users'.*JSON/],
    ['a JSON object where an array is wanted', { app: 'broker', spec, argv: ['--users', '{}'] }, /'users'.*array/],
  ];
  for (const [name, opts, re] of bad) {
    it(`rejects ${name} with a ConfigError naming the key`, () => {
      assert.throws(() => loadConfig({ env: {}, readFile: files({}), ...opts }), (err: unknown) => err instanceof ConfigError && re.test(err.message));
    });
  }

  it('rejects an unknown key, invalid JSON and a non-object in the file', () => {
    const cases: [string, RegExp][] = [
      ['{"prot": 1}', /unknown key 'prot'/],
      ['{"port": ', /not valid JSON/],
      ['[1]', /JSON object/],
      ['{"port": "x"}', /'port'/],
    ];
    for (const [text, re] of cases) {
      assert.throws(() => loadConfig({ app: 'broker', spec, env: {}, readFile: files({ '/etc/ledge/broker.json': text }) }), re);
    }
  });

  it('fails when an explicitly named file is missing', () => {
    assert.throws(() => loadConfig({ app: 'broker', spec, argv: ['--config', '/missing.json'], env: {}, readFile: files({}) }), /cannot be read/);
  });

  it('parses lists from env as CSV or JSON', () => {
    assert.deepEqual(loadConfig({ app: 'broker', spec, env: { LEDGE_BROKER_TAGS: 'a, b' }, readFile: files({}) }).config.tags, ['a', 'b']);
    assert.deepEqual(loadConfig({ app: 'broker', spec, env: { LEDGE_BROKER_TAGS: '["x"]' }, readFile: files({}) }).config.tags, ['x']);
  });

  it('a json field takes the shape of its default, or the shapes it accepts', () => {
    assert.throws(() => loadConfig({ app: 'broker', spec, env: { LEDGE_BROKER_USERS: '{"a":1}' }, readFile: files({}) }), /users.*expected a JSON array, got object/);
    const both = defineConfig({ agents: { type: 'json', default: ['a'] as unknown, describe: 'agents', accepts: ['array', 'object'] } });
    const file = (v: unknown) => files({ '/etc/ledge/x.json': JSON.stringify({ agents: v }) });
    assert.deepEqual(loadConfig({ app: 'x', spec: both, env: {}, readFile: file({ b: {} }) }).config.agents, { b: {} });
    assert.deepEqual(loadConfig({ app: 'x', spec: both, env: {}, readFile: file(['c']) }).config.agents, ['c']);
    assert.throws(() => loadConfig({ app: 'x', spec: both, env: {}, readFile: file(5) }), /expected a JSON array or object, got number/);
  });

  it('returns help text for --help', async () => {
    const r = loadConfig({ app: 'broker', spec, argv: ['--help'], env: {}, readFile: files({}) });
    const help = await r.help;
    assert.match(help ?? '', /--port/);
    assert.match(help ?? '', /LEDGE_BROKER_PORT/);
  });

  it('names env variables after the key', () => {
    assert.equal(envName('software-update', 'maxQueuedMessages'), 'LEDGE_SOFTWARE_UPDATE_MAX_QUEUED_MESSAGES');
    assert.match(configTable('broker', spec), /\| `port` \| `--port` \| `LEDGE_BROKER_PORT` \| `1883` \|/);
  });
});
