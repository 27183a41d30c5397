// `ledge status` (issue 21): the gateway at a glance for an operator, from the local bus (cloud link,
// every app's health), container management's local API and the data directories. Exit codes: 0 all
// well, 1 something is down or unreachable (each problem named), 2 a usage or config error.
// The local bus is found as every app finds it (/etc/ledge/local-bus.json, LEDGE_LOCAL_BUS_*), or with
// --address; reading the status needs no account (the broker's ACL restricts publishing only).
import { readdir, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import type { Argv } from 'yargs';
import { readLedgeJournalText, readLedgeUnits, readLogFilesText } from '@ledge/shared/data-access-journal';
import { localBusClientOptions } from '@ledge/shared/data-access-mqtt';
import { ConfigError, createLogger, loadConfig, localBusSpec, localAddressProblem, SHARED_LOG_ENV } from '@ledge/shared/util';
import { collectStatus } from './collect';
import { buildDiagBundle } from './diag';
import { formatStatus, problemsOf, type ContainerSummary, type GatewayStatus } from './report';

export interface StatusIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  setExitCode(code: number): void;
}

export interface StatusDeps {
  /** systemd's Ledge units (default: `systemctl show`); throws where there is no systemd. */
  units?: () => Promise<Readonly<Record<string, { readonly restarts: number; readonly mainPid: number }>>>;
  /** Container management's containers through its local API at `host`; throws when it cannot tell. */
  containers?: (host: string) => Promise<ContainerSummary>;
  /** Default of --cm-host. */
  cmHost?: string;
  /** Default of --config-dir (where local-bus.json is looked for). */
  configDir?: string;
}

const processIo = (): StatusIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, setExitCode: (c) => void (process.exitCode = c) });

interface StatusArgs extends GatherArgs {
  json: boolean;
}

interface GatherArgs {
  address?: string;
  wait: number;
  'data-dir': string;
  'cm-host': string;
}

/** `ledge status`'s report and its problems; ConfigError on a bad flag or config. */
async function gather(a: GatherArgs, deps: StatusDeps, io: StatusIo): Promise<GatewayStatus & { problems: string[] }> {
  if (!Number.isFinite(a.wait) || a.wait < 0 || a.wait > 60_000) throw new ConfigError('--wait needs milliseconds between 0 and 60000');
  const loaded = loadConfig({ app: 'status', spec: localBusSpec, argv: [], env: io.env, ...(deps.configDir ? { configDir: deps.configDir } : {}) });
  const settings = { ...loaded.config, ...(a.address !== undefined ? { localAddress: a.address } : {}) };
  const problem = localAddressProblem(settings.localAddress);
  if (problem !== undefined) throw new ConfigError(`--address ${JSON.stringify(settings.localAddress)} ${problem}`);
  const status = await collectStatus({
    bus: localBusClientOptions(settings),
    address: settings.localAddress,
    connectTimeoutMs: 3000,
    answerMs: a.wait,
    dataDirs: await subdirectories(a['data-dir']),
    ...(deps.containers ? { containers: () => deps.containers!(a['cm-host']) } : {}),
    units: deps.units ?? (() => readLedgeUnits()),
    logger: createLogger({ name: 'ledge', level: 'silent' }),
  });
  return { ...status, problems: problemsOf(status) };
}

function gatherOptions(y: Argv, deps: StatusDeps, io: StatusIo): Argv {
  const defaultDataDir = io.env['LEDGE_DEV_DIR'] || '/var/lib/ledge';
  return y
    .option('address', { type: 'string', describe: 'local broker address (default: as the apps find it, /etc/ledge/local-bus.json or LEDGE_LOCAL_BUS_ADDRESS)' })
    .option('wait', { type: 'number', default: 1000, describe: 'milliseconds to gather the apps\' answers to the health request' })
    .option('data-dir', { type: 'string', default: defaultDataDir, describe: 'directory whose subdirectories\' sizes are reported' })
    .option('cm-host', {
      type: 'string',
      // as `npm start` (ledge run --dev) puts it: in the dev directory
      default: io.env['LEDGE_CM_HOST'] || (io.env['LEDGE_DEV_DIR'] ? `${io.env['LEDGE_DEV_DIR']}/container-management.sock` : deps.cmHost || '/run/ledge/container-management.sock'),
      describe: 'container management\'s local API socket (env LEDGE_CM_HOST)',
    });
}

export function statusCommand(cli: Argv, deps: StatusDeps = {}, io: StatusIo = processIo()): Argv {
  return cli.command(
    'status',
    'the gateway at a glance: cloud link, every app\'s health, containers, data directories; exit 1 when something is down',
    (y) => gatherOptions(y, deps, io).option('json', { type: 'boolean', default: false, describe: 'print the status as JSON (with "problems")' }),
    async (raw) => {
      const a = raw as unknown as StatusArgs;
      try {
        const { problems, ...status } = await gather(a, deps, io);
        io.stdout.write(a.json ? `${JSON.stringify({ ...status, problems }, null, 2)}\n` : formatStatus(status, problems));
        io.setExitCode(problems.length === 0 ? 0 : 1);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        io.stderr.write(`ledge status: ${err.message}\n`);
        io.setExitCode(2);
      }
    },
  );
}

export interface DiagDeps extends StatusDeps {
  /** Each app's merged config, redacted, and the secret values it held. */
  configs: () => Promise<{ configs: Readonly<Record<string, unknown>>; secrets: ReadonlySet<string> }>;
  /** Default: `journalctl` of the Ledge units, or the log files in --log-dir. */
  journal?: () => Promise<string>;
}

export function diagCommand(cli: Argv, deps: DiagDeps, io: StatusIo = processIo()): Argv {
  return cli.command(
    'diag',
    'write a support bundle (tar.gz): versions, status, every app\'s config with secrets redacted, the recent journal of the Ledge units',
    (y) =>
      gatherOptions(y, deps, io)
        .option('output', { alias: 'o', type: 'string', describe: 'archive to write (default ./ledge-diag-<time>.tar.gz)' })
        .option('log-dir', { type: 'string', default: io.env[SHARED_LOG_ENV.logDir] ?? '', describe: `where there is no journald: take the recent lines of the apps' log files in this directory (the apps' logDir; env ${SHARED_LOG_ENV.logDir})` }),
    async (raw) => {
      const a = raw as unknown as GatherArgs & { output?: string; 'log-dir': string };
      const logDir = a['log-dir'];
      try {
        const now = Date.now();
        const out = a.output ?? `ledge-diag-${new Date(now).toISOString().replace(/[:.]/g, '-')}.tar.gz`;
        const { archive, files } = await buildDiagBundle({
          versions: { ledge: io.env['LEDGE_VERSION'] ?? 'dev', node: process.version, platform: `${process.platform} ${process.arch}`, kernel: release() },
          status: () => gather(a, deps, io),
          configs: deps.configs,
          journal: deps.journal ?? (() => (logDir !== '' ? readLogFilesText(logDir) : readLedgeJournalText())),
          now: () => now,
        });
        // 0600: a support bundle is for the one who asked for it
        await writeFile(out, archive, { mode: 0o600 });
        io.stdout.write(`${out} (${files.length} files, ${archive.length} bytes)\n`);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        io.stderr.write(`ledge diag: ${err.message}\n`);
        io.setExitCode(2);
      }
    },
  );
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => `${dir.replace(/\/$/, '')}/${e.name}`).sort();
  } catch {
    return [dir]; // reported as unreadable, with its error code
  }
}
