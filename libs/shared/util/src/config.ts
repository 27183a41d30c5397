// Config (STYLE.md "Config"): typed frozen defaults < file (/etc/ledge/<app>.json) < env
// (LEDGE_<APP>_<KEY>) < flags the user actually set; one validation of the merged result. A bad value
// becomes a ConfigError naming the key; main turns it into exit code 2.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { InvalidArgumentError, UtilErrorCodes } from './errors';

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
}

export type ConfigSpec = Record<string, FieldSpec>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K]['default'] };
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

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
      const want = Array.isArray(spec.default) ? 'array' : spec.default === null ? 'null' : typeof spec.default;
      const got = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
      if (want !== 'null' && want !== got) fail(`expected a JSON ${want}, got ${got}`);
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

function check(key: string, spec: FieldSpec, value: unknown, from: ConfigSource): void {
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

function createCli(app: string, spec: ConfigSpec, argv: readonly string[]) {
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
    cli = cli.option(key, {
      type: yType,
      describe: `${f.describe} [default: ${JSON.stringify(f.default)}] [env: ${envName(app, key)}]`,
      requiresArg: f.type !== 'boolean',
    });
  }
  return cli;
}

/** Parses flags, reads file and env, merges and validates. Throws ConfigError on any bad input. */
export function loadConfig<S extends ConfigSpec>(options: LoadConfigOptions<S>): LoadedConfig<S> {
  const { app, spec } = options;
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const cli = createCli(app, spec, options.argv ?? []);
  const flags = cli.parseSync() as Record<string, unknown>;
  if (flags['help']) return { config: {} as ConfigOf<S>, sources: {} as Record<keyof S, ConfigSource>, configFile: undefined, help: cli.getHelp() };
  if (flags['version']) return { config: {} as ConfigOf<S>, sources: {} as Record<keyof S, ConfigSource>, configFile: undefined, version: true };

  const explicitFile = (flags['config'] as string | undefined) ?? env[`${envPrefix(app)}CONFIG`];
  const configFile = explicitFile ?? `${options.configDir ?? '/etc/ledge'}/${app}.json`;
  let fileValues: Record<string, unknown> = {};
  let fileRead: string | undefined;
  try {
    const text = readFile(configFile);
    fileRead = configFile;
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${configFile}: the top level must be a JSON object`);
    fileValues = parsed as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && explicitFile === undefined) {
      // The default file is optional: embedded defaults run the stack.
    } else if (err instanceof SyntaxError) {
      throw new ConfigError(`config file ${configFile}: not valid JSON (${err.message})`);
    } else {
      throw new ConfigError(`config file ${configFile}: cannot be read (${code ?? (err as Error).message})`);
    }
  }
  for (const key of Object.keys(fileValues)) {
    if (key.startsWith('$') || key.startsWith('//')) continue; // "$schema", "//comment"
    if (!(key in spec)) throw new ConfigError(`config file ${configFile}: unknown key '${key}'`, { key });
  }

  const merged: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [key, f] of Object.entries(spec)) {
    let value: unknown = options.defaults && key in options.defaults ? options.defaults[key] : f.default;
    let source: ConfigSource = 'default';
    if (key in fileValues) {
      value = coerce(key, f, fileValues[key], `file ${configFile}`);
      source = 'file';
    }
    const ev = env[envName(app, key)];
    if (ev !== undefined) {
      value = coerce(key, f, ev, `env ${envName(app, key)}`);
      source = 'env';
    }
    if (flags[key] !== undefined) {
      value = coerce(key, f, flags[key], `flag --${key}`);
      source = 'flag';
    }
    check(key, f, value, source);
    merged[key] = typeof value === 'object' && value !== null ? deepFreeze(structuredClone(value)) : value;
    sources[key] = source;
  }
  return { config: Object.freeze(merged) as ConfigOf<S>, sources: Object.freeze(sources) as Record<keyof S, ConfigSource>, configFile: fileRead };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Markdown table of a spec, for the apps' READMEs (docs are generated from the schema). */
export function configTable(app: string, spec: ConfigSpec): string {
  const rows = Object.entries(spec).map(
    ([k, f]) => `| \`${k}\` | \`--${k}\` | \`${envName(app, k)}\` | \`${JSON.stringify(f.default)}\` | ${f.describe.replace(/\|/g, '\\|')} |`,
  );
  return ['| key | flag | env | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
