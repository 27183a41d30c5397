// `ledge run`: the whole stack from one command, in one process (default) or one process per app.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { createLogger, exitOnConfigError, formatLine, hostApps, installCrashHandlers, runMain, superviseProcesses, type App, type Logger } from '@ledge/util';
import { hostedApps } from './apps';
import { planLocalBus, type LocalBusPlan } from './local-bus-plan';

interface RunArgs {
  apps?: string[];
  dev?: boolean;
  devDir?: string;
  processes?: boolean;
  logLevel: string;
}

export function runCommand(cli: Argv): Argv {
  return cli.command<RunArgs>(
    'run',
    'run the Ledge stack (all-in-one in this process, or one process per app with --processes)',
    (y) =>
      y
        .option('apps', { type: 'array', string: true, describe: `apps to run, space- or comma-separated (default: all: ${hostedApps.map((e) => e.name).join(', ')})` })
        .option('dev', { type: 'boolean', describe: 'developer mode: state under ./.ledge-dev instead of /var/lib/ledge' })
        .option('dev-dir', { type: 'string', describe: 'state directory for --dev', default: '.ledge-dev' })
        .option('processes', { type: 'boolean', describe: 'one child process per app (as the systemd units do)' })
        .option('log-level', { type: 'string', default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] }),
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
      const devDir = args.dev ? resolve(args.devDir ?? '.ledge-dev') : undefined;
      const logger = createLogger({ name: 'ledge', level: args.logLevel as never });
      installCrashHandlers(logger);
      let app: App;
      try {
        const plan = await planLocalBus(chosen, devDir ? { devDir } : {});
        app = args.processes
          ? processesApp(chosen.map((e) => e.name), logger, devDir, plan)
          : hostApps(await Promise.all(chosen.map((e) => e.load())), { logger, ...(devDir ? { devDir } : {}), overrides: plan.overrides, hostDefaults: plan.hostDefaults });
      } catch (err) {
        exitOnConfigError('ledge run', err);
      }
      logger.info({ apps: selected, mode: args.processes ? 'processes' : 'all-in-one', devDir }, 'starting ledge');
      await runMain({ logger, app });
    },
  );
}

/** Finds each app's bundle next to this one (dist/apps/<app>/main.js or /usr/lib/ledge/<app>/main.js). */
function processesApp(names: string[], logger: Logger, devDir: string | undefined, plan: LocalBusPlan): App {
  const base = dirname(dirname(process.argv[1] ?? __filename));
  const procs = names.map((name) => {
    const bundle = join(base, name, 'main.js');
    if (!existsSync(bundle)) {
      process.stderr.write(`ledge run: no bundle for ${name} at ${bundle}\n`);
      process.exit(2);
    }
    const env: Record<string, string> = { ...(devDir ? { LEDGE_DEV_DIR: devDir } : {}), ...plan.env[name] };
    return { name, command: process.execPath, args: [bundle], env };
  });
  const tty = process.stdout.isTTY === true;
  return superviseProcesses(procs, {
    logger,
    output: (_name, line) => process.stdout.write(`${tty ? formatLine(line) : line}\n`),
  });
}
