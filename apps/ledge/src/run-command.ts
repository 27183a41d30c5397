// `ledge run`: the whole stack from one command, in one process (default) or one process per app.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import {
  ConfigError,
  createAppLogger,
  DEFAULT_DEV_DIR,
  DEFAULT_LOG_MAX_BYTES,
  devSecretsDir,
  exitOnConfigError,
  formatLine,
  hostApps,
  installCrashHandlers,
  MIN_LOG_MAX_BYTES,
  runMain,
  SHARED_LOG_ENV,
  superviseProcesses,
  type App,
  type AppLoggerSettings,
  type Logger,
} from '@ledge/shared/util';
import { hostedApps } from './apps';
import { tuneHeapForAllInOne } from './heap-tuning';
import { planDevCloud, type DevCloudPlan } from './dev-cloud-plan';
import { writeDevSecrets } from './dev-secrets';
import { planLocalBus, type LocalBusPlan } from './local-bus-plan';

interface RunArgs {
  apps?: string[];
  dev?: boolean;
  devDir?: string;
  processes?: boolean;
  devCloud?: boolean;
  logLevel: string;
  logDir?: string;
  logMaxBytes?: number;
}

/**
 * Where this process (and every app it runs) logs besides stdout: --log-dir, else LEDGE_LOG_DIR, else
 * `<dev dir>/logs` with --dev, else nowhere (journald takes stdout).
 */
function logSettings(args: RunArgs, devDir: string | undefined, env: NodeJS.ProcessEnv): AppLoggerSettings {
  const logDir = args.logDir ?? env[SHARED_LOG_ENV.logDir] ?? (devDir ? join(devDir, 'logs') : '');
  const rawMax = args.logMaxBytes ?? env[SHARED_LOG_ENV.logMaxBytes] ?? DEFAULT_LOG_MAX_BYTES;
  const logMaxBytes = Number(rawMax);
  if (!Number.isSafeInteger(logMaxBytes) || logMaxBytes < MIN_LOG_MAX_BYTES) throw new ConfigError(`--log-max-bytes: ${JSON.stringify(rawMax)} is not a whole number of at least ${MIN_LOG_MAX_BYTES}`);
  return { logLevel: args.logLevel, logDir: logDir === '' ? '' : resolve(logDir), logMaxBytes };
}

export function runCommand(cli: Argv): Argv {
  return cli.command<RunArgs>(
    'run',
    'run the Ledge stack (all-in-one in this process, or one process per app with --processes)',
    (y) =>
      y
        .option('apps', { type: 'array', string: true, describe: `apps to run, space- or comma-separated (default: all: ${hostedApps.map((e) => e.name).join(', ')})` })
        .option('dev', { type: 'boolean', describe: 'developer mode: state under ./.ledge-dev instead of /var/lib/ledge' })
        .option('dev-dir', { type: 'string', describe: "state directory for --dev (the local broker accounts it makes are kept in <dir>/secrets, for `ledge um --dev-dir`)", default: DEFAULT_DEV_DIR })
        .option('processes', { type: 'boolean', describe: 'one child process per app (as the systemd units do)' })
        .option('dev-cloud', { type: 'boolean', describe: 'also run the development cloud (a local Hono + Ditto stand-in, config dev-cloud.json / LEDGE_DEV_CLOUD_*) and provision the connector to it (npm start)' })
        .option('log-level', { type: 'string', default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] })
        .option('log-dir', { type: 'string', describe: `also write the JSON log lines to <dir>/ledge.log (and each app's <app>.log with --processes), rotated by size; where there is no journald (default: env ${SHARED_LOG_ENV.logDir}, with --dev <dev dir>/logs, else none)` })
        .option('log-max-bytes', { type: 'number', describe: `rotate a log file at this size (default: env ${SHARED_LOG_ENV.logMaxBytes}, else ${DEFAULT_LOG_MAX_BYTES})` }),
    async (args) => {
      // `--apps a,b` (as in ledge.service) and `--apps a b` both work.
      const listed = (args.apps ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
      const selected = listed.length ? listed : hostedApps.map((e) => e.name);
      const unknown = selected.filter((n) => !hostedApps.some((e) => e.name === n));
      if (unknown.length > 0) {
        process.stderr.write(`ledge run: unknown app(s): ${unknown.join(', ')} (known: ${hostedApps.map((e) => e.name).join(', ')})\n`);
        process.exit(2);
      }
      const chosen = hostedApps.filter((e) => selected.includes(e.name));
      const devDir = args.dev ? resolve(args.devDir ?? DEFAULT_DEV_DIR) : undefined;
      let logger: Logger;
      let logs: AppLoggerSettings;
      try {
        logs = logSettings(args, devDir, process.env);
        logger = createAppLogger('ledge', logs);
      } catch (err) {
        exitOnConfigError('ledge run', err);
      }
      installCrashHandlers(logger);
      let app: App;
      try {
        const plan = await planLocalBus(chosen, devDir ? { devDir } : {});
        // all-in-one and --processes alike: the accounts are made in the plan, before any app starts
        if (devDir && plan.accounts) await keepDevAccounts(devDir, plan.accounts, logger);
        const cloud = args.devCloud ? await planDevCloud({ env: process.env, ...(devDir ? { devDir } : {}) }) : undefined;
        // hosted apps log through this process's logger: their logDir is where it writes (file-upload's
        // Logs feature reads it back), whatever their own files say
        const logFile = { logDir: logs.logDir, logMaxBytes: logs.logMaxBytes };
        const overrides = Object.fromEntries([...(cloud ? ['dev-cloud'] : []), ...chosen.map((e) => e.name)].map((n) => [n, { ...plan.overrides[n], ...(n === 'connector' ? cloud?.connector : {}), ...logFile }]));
        if (!args.processes) tuneHeapForAllInOne();
        // the dev cloud first: the connector dials it
        app = args.processes
          ? processesApp([...(cloud ? ['dev-cloud'] : []), ...chosen.map((e) => e.name)], logger, devDir, plan, logs, cloud)
          : hostApps([...(cloud ? [cloud.entry] : []), ...(await Promise.all(chosen.map((e) => e.load())))], { logger, ...(devDir ? { devDir } : {}), overrides, hostDefaults: plan.hostDefaults });
      } catch (err) {
        exitOnConfigError('ledge run', err);
      }
      logger.info({ apps: [...(args.devCloud ? ['dev-cloud'] : []), ...selected], mode: args.processes ? 'processes' : 'all-in-one', devDir, logDir: logs.logDir || undefined }, 'starting ledge');
      await runMain({ logger, app });
    },
  );
}

/** The run goes on without the copy (the apps have their passwords); only `ledge um` would miss it. */
async function keepDevAccounts(devDir: string, accounts: NonNullable<LocalBusPlan['accounts']>, logger: Logger): Promise<void> {
  const dir = devSecretsDir(devDir);
  try {
    await writeDevSecrets(devDir, accounts);
    logger.info({ dir, apps: Object.keys(accounts) }, 'dev local bus accounts written');
  } catch (err) {
    logger.warn({ err, dir }, 'cannot write the dev local bus accounts; ledge um --dev-dir will not find them');
  }
}

/** Finds each app's bundle next to this one (dist/apps/<app>/main.js or /usr/lib/ledge/<app>/main.js). */
function processesApp(names: string[], logger: Logger, devDir: string | undefined, plan: LocalBusPlan, logs: AppLoggerSettings, cloud?: DevCloudPlan): App {
  const base = dirname(dirname(process.argv[1] ?? __filename));
  const procs = names.map((name) => {
    const bundle = join(base, name, 'main.js');
    if (!existsSync(bundle)) {
      process.stderr.write(`ledge run: no bundle for ${name} at ${bundle}\n`);
      process.exit(2);
    }
    const env: Record<string, string> = { ...(devDir ? { LEDGE_DEV_DIR: devDir } : {}), ...plan.env[name], ...(name === 'connector' ? cloud?.connectorEnv : {}) };
    // each child writes its own <app>.log there (flags: over the child's file and env, as this host was told)
    const logArgs = logs.logDir === '' ? [] : ['--logDir', logs.logDir, '--logMaxBytes', String(logs.logMaxBytes)];
    return { name, command: process.execPath, args: [bundle, ...logArgs], env };
  });
  const tty = process.stdout.isTTY === true;
  return superviseProcesses(procs, {
    logger,
    output: (_name, line) => process.stdout.write(`${tty ? formatLine(line) : line}\n`),
  });
}
