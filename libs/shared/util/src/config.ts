// Config (STYLE.md "Config"): typed frozen defaults < file (/etc/ledge/<app>.json) < env
// (LEDGE_<APP>_<KEY>) < flags the user actually set; one validation of the merged result. A bad value
// becomes a ConfigError naming the key; main turns it into exit code 2.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { InvalidArgumentError, UtilErrorCodes } from './errors';
import { LOCAL_BUS_FILE, LOCAL_BUS_KEYS, localBusEnvName, type LocalBusKey } from './local-bus-config';

export type FieldType = 'string' | 'number' | 'boolean' | 'string[]' | 'json';

export interface FieldSpec<T = unknown> {
  type: FieldType;
  default: T;
  describe: string;
  choices?: readonly T[];
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Extra check on the merged value: a message when it is wrong. */
  validate?: (value: T) => string | undefined;
  /**
   * For `json` fields: the JSON shapes a file, env var or flag may give (default: the default's shape).
   * A key whose foreign form differs (Kanto's map of agents where Ledge takes a list) accepts both and
   * leaves the rest to `validate`.
   */
  accepts?: readonly JsonShape[];
}

export type JsonShape = 'array' | 'object' | 'string' | 'number' | 'boolean';

export type ConfigSpec = Record<string, FieldSpec>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K]['default'] };
/** Where a value came from; `shared-file` / `shared-env` are the local-bus setting all apps share. */
export type ConfigSource = 'default' | 'shared-file' | 'shared-env' | 'file' | 'env' | 'flag';

export class ConfigError extends InvalidArgumentError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(UtilErrorCodes.CONFIG_INVALID, message, details === undefined ? {} : { details });
  }
}

/** Identity helper that keeps the literal types of a spec. */
export function defineConfig<S extends ConfigSpec>(spec: S): S {
  return spec;
}

export interface LoadConfigOptions<S extends ConfigSpec> {
  /** App name: file /etc/ledge/<app>.json, env prefix LEDGE_<APP>_. */
  app: string;
  spec: S;
  /** Command-line arguments (without node and script). */
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory of the default config file (default /etc/ledge). */
  configDir?: string;
  readFile?: (path: string) => string;
  /** Replaces embedded defaults (e.g. data directories when running from a source checkout). */
  defaults?: Readonly<Record<string, unknown>>;
  /** Other names of keys (alias → key), accepted in the file, as env vars and as flags, e.g. Kanto's names. */
  aliases?: Readonly<Record<string, string>>;
}

export interface LoadedConfig<S extends ConfigSpec> {
  config: ConfigOf<S>;
  sources: Readonly<Record<keyof S, ConfigSource>>;
  /** The config file that was read, if any. */
  configFile: string | undefined;
  /** Set when --help was asked for: print it and exit 0. */
  help?: Promise<string>;
  version?: boolean;
}

export function envPrefix(app: string): string {
  return `LEDGE_${app.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_`;
}

export function envName(app: string, key: string): string {
  return envPrefix(app) + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[.-]/g, '_').toUpperCase();
}

function coerce(key: string, spec: FieldSpec, raw: unknown, from: string): unknown {
  const fail = (why: string): never => {
    throw new ConfigError(`config key '${key}' (${from}): ${why}`, { key, from });
  };
  switch (spec.type) {
    case 'string':
      if (typeof raw !== 'string') fail(`expected a string, got ${JSON.stringify(raw)}`);
      return raw;
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) fail(`expected a number, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return fail(`expected true or false, got ${JSON.stringify(raw)}`);
    case 'string[]': {
      let v = raw;
      if (typeof raw === 'string') v = raw.trim().startsWith('[') ? parseJson(raw, fail) : raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail('expected a list of strings');
      return v;
    }
    case 'json': {
      const v = typeof raw === 'string' ? parseJson(raw, fail) : raw;
      const want: readonly string[] = spec.accepts ?? [Array.isArray(spec.default) ? 'array' : spec.default === null ? 'null' : typeof spec.default];
      const got = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
      if (!want.includes('null') && !want.includes(got)) fail(`expected a JSON ${want.join(' or ')}, got ${got}`);
      return v;
    }
  }
}

function parseJson(text: string, fail: (why: string) => never): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
}

function check(key: string, spec: FieldSpec, value: unknown, from: string): void {
  if (spec.choices && !spec.choices.includes(value)) {
    throw new ConfigError(`config key '${key}' (${from}): ${JSON.stringify(value)} is not one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`, { key });
  }
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) throw new ConfigError(`config key '${key}' (${from}): ${value} is below the minimum ${spec.min}`, { key });
    if (spec.max !== undefined && value > spec.max) throw new ConfigError(`config key '${key}' (${from}): ${value} is above the maximum ${spec.max}`, { key });
  }
  const why = spec.validate?.(value);
  if (why) throw new ConfigError(`config key '${key}' (${from}): ${why}`, { key });
}

function createCli(app: string, spec: ConfigSpec, argv: readonly string[], aliases: Readonly<Record<string, string>>) {
  let cli = yargs([...argv])
    .scriptName(`ledge-${app}`)
    .usage(`Usage: ledge-${app} [options]\n\nEvery option can also be set in /etc/ledge/${app}.json (camelCase key) or as ${envPrefix(app)}<KEY>.`)
    .option('config', { type: 'string', describe: `config file (default /etc/ledge/${app}.json)` })
    .strict()
    .exitProcess(false)
    .help(false)
    .version(false)
    .option('help', { type: 'boolean', alias: 'h', describe: 'show this help' })
    .option('version', { type: 'boolean', describe: 'show the version' })
    .fail((msg, err) => {
      throw new ConfigError(msg ?? err?.message ?? 'invalid command line');
    })
    .wrap(Math.min(110, process.stdout.columns ?? 100));
  for (const [key, f] of Object.entries(spec)) {
    const yType = f.type === 'number' ? 'string' : f.type === 'boolean' ? 'boolean' : 'string';
    const alias = Object.keys(aliases).filter((a) => aliases[a] === key);
    const shared = (LOCAL_BUS_KEYS as readonly string[]).includes(key) ? `, ${LOCAL_BUS_FILE}, ${localBusEnvName(key as LocalBusKey)}` : '';
    cli = cli.option(key, {
      type: yType,
      describe: `${f.describe} [default: ${JSON.stringify(f.default)}] [env: ${envName(app, key)}${shared}]`,
      requiresArg: f.type !== 'boolean',
      ...(alias.length > 0 ? { alias } : {}),
    });
  }
  return cli;
}

/** Parses flags, reads file and env, merges and validates. Throws ConfigError on any bad input. */
export function loadConfig<S extends ConfigSpec>(options: LoadConfigOptions<S>): LoadedConfig<S> {
  const { app, spec } = options;
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const aliases = options.aliases ?? {};
  for (const [alias, key] of Object.entries(aliases)) {
    if (!(key in spec) || alias in spec) throw new Error(`config alias ${alias} → ${key} does not fit the spec of ${app}`);
  }
  const cli = createCli(app, spec, options.argv ?? [], aliases);
  const flags = cli.parseSync() as Record<string, unknown>;
  if (flags['help']) return { config: {} as ConfigOf<S>, sources: {} as Record<keyof S, ConfigSource>, configFile: undefined, help: cli.getHelp() };
  if (flags['version']) return { config: {} as ConfigOf<S>, sources: {} as Record<keyof S, ConfigSource>, configFile: undefined, version: true };

  const explicitFile = (flags['config'] as string | undefined) ?? env[`${envPrefix(app)}CONFIG`];
  const configDir = options.configDir ?? '/etc/ledge';
  const configFile = explicitFile ?? `${configDir}/${app}.json`;
  const own = readConfigFile(readFile, configFile, explicitFile !== undefined);
  const fileValues = withoutAliases(configFile, own ?? {}, aliases, spec);
  const fileRead = own === undefined ? undefined : configFile;

  // The shared local-bus layer (local-bus-config.ts), for apps whose spec has the local-bus keys.
  const usesLocalBus = LOCAL_BUS_KEYS.some((k) => k in spec);
  const sharedExplicit = env[`${envPrefix('local-bus')}CONFIG`]; // LEDGE_LOCAL_BUS_CONFIG, as LEDGE_<APP>_CONFIG
  const sharedFile = sharedExplicit ?? `${configDir}/${LOCAL_BUS_FILE}`;
  const sharedValues = usesLocalBus ? (readConfigFile(readFile, sharedFile, sharedExplicit !== undefined) ?? {}) : {};
  for (const key of Object.keys(sharedValues)) {
    if (isComment(key)) continue;
    if (!(LOCAL_BUS_KEYS as readonly string[]).includes(key)) throw new ConfigError(`config file ${sharedFile}: unknown key '${key}' (known: ${LOCAL_BUS_KEYS.join(', ')})`, { key });
  }

  const merged: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [key, f] of Object.entries(spec)) {
    const sharedEnv = usesLocalBus && (LOCAL_BUS_KEYS as readonly string[]).includes(key) ? localBusEnvName(key as LocalBusKey) : undefined;
    const ev = envValue(app, key, env, aliases);
    // Lowest first; the last layer that sets the key wins.
    const layers: [ConfigSource, string, unknown][] = [
      ['shared-file', `file ${sharedFile}`, sharedValues[key]],
      ['shared-env', `env ${sharedEnv}`, sharedEnv === undefined ? undefined : env[sharedEnv]],
      ['file', `file ${configFile}`, fileValues[key]],
      ['env', `env ${ev?.name}`, ev?.value],
      ['flag', `flag --${key}`, flags[key]],
    ];
    let value: unknown = options.defaults && key in options.defaults ? options.defaults[key] : f.default;
    let source: ConfigSource = 'default';
    let from = 'default';
    for (const [layer, where, raw] of layers) {
      if (raw === undefined) continue;
      value = coerce(key, f, raw, where);
      [source, from] = [layer, where];
    }
    check(key, f, value, from);
    merged[key] = typeof value === 'object' && value !== null ? deepFreeze(structuredClone(value)) : value;
    sources[key] = source;
  }
  return { config: Object.freeze(merged) as ConfigOf<S>, sources: Object.freeze(sources) as Record<keyof S, ConfigSource>, configFile: fileRead };
}

const isComment = (key: string) => key.startsWith('$') || key.startsWith('//'); // "$schema", "//comment"

/** A config file's top-level object; undefined when an optional file does not exist. */
function readConfigFile(readFile: (path: string) => string, path: string, required: boolean): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(readFile(path)) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${path}: the top level must be a JSON object`);
    return parsed as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined; // the default files are optional: embedded defaults run the stack
    if (err instanceof SyntaxError) throw new ConfigError(`config file ${path}: not valid JSON (${err.message})`);
    throw new ConfigError(`config file ${path}: cannot be read (${code ?? (err as Error).message})`);
  }
}

/** An app file's values under their canonical keys; unknown keys and a key set under two names are errors. */
function withoutAliases(path: string, values: Record<string, unknown>, aliases: Readonly<Record<string, string>>, spec: ConfigSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const named: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (isComment(name)) continue;
    const key = aliases[name] ?? name;
    if (!(key in spec)) throw new ConfigError(`config file ${path}: unknown key '${name}'`, { key: name });
    if (key in out) throw new ConfigError(`config file ${path}: '${named[key]}' and '${name}' are the same setting; keep one`, { key });
    out[key] = value;
    named[key] = name;
  }
  return out;
}

/** The app's env var of a key, or of one of its aliases (LEDGE_SOFTWARE_UPDATE_BROKER); both set is an error. */
function envValue(app: string, key: string, env: Readonly<Record<string, string | undefined>>, aliases: Readonly<Record<string, string>>): { name: string; value: string } | undefined {
  const names = [envName(app, key), ...Object.keys(aliases).filter((a) => aliases[a] === key).map((a) => envName(app, a))].filter((n) => env[n] !== undefined);
  if (names.length > 1) throw new ConfigError(`env ${names.join(' and ')} are the same setting; keep one`, { key });
  return names[0] === undefined ? undefined : { name: names[0], value: env[names[0]]! };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Markdown table of a spec, for the apps' READMEs (docs are generated from the schema). */
export function configTable(app: string, spec: ConfigSpec, aliases: Readonly<Record<string, string>> = {}): string {
  const notes = (k: string) => {
    const names = Object.keys(aliases).filter((a) => aliases[a] === k);
    const shared = (LOCAL_BUS_KEYS as readonly string[]).includes(k) ? [`shared: \`${LOCAL_BUS_FILE}\`, \`${localBusEnvName(k as LocalBusKey)}\``] : [];
    const alias = names.length > 0 ? [`Kanto name ${names.map((a) => `\`${a}\``).join(', ')}`] : [];
    const all = [...shared, ...alias];
    return all.length > 0 ? ` (${all.join('; ')})` : '';
  };
  const rows = Object.entries(spec).map(
    ([k, f]) => `| \`${k}\` | \`--${k}\` | \`${envName(app, k)}\` | \`${JSON.stringify(f.default)}\` | ${(f.describe + notes(k)).replace(/\|/g, '\\|')} |`,
  );
  return ['| key | flag | env | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
