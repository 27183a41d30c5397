// `ledge um`: the update manager from a shell, over its local API (issue 18). `apply` publishes a desired
// state with a fresh activityId and prints its feedback until a final status; `current` prints the
// device's current state; `watch` streams every activity's feedback; `consent` answers the owner-consent
// question as an HMI would. The local bus is found as every app finds it (/etc/ledge/local-bus.json,
// LEDGE_LOCAL_BUS_*) or with --address; the account is the update manager's unless set (account.ts: the
// broker takes desired states and consents from it alone). Exit codes: 0 COMPLETED / done, 1 any other final status or no
// answer, 2 usage, config, or a desired-state file that does not parse (each problem on its own line).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { createLocalBusClient, localBusClientOptions, type LocalBusClient, type LocalBusClientOptions } from '@ledge/shared/data-access-mqtt';
import { isDomainId, updateTopics, type UpdateTopics } from '@ledge/shared/model-update';
import { ConfigError, createLogger, DEFAULT_DEV_DIR, loadConfig, localAddressProblem, localBusSpec, localPasswordFileOf, type LocalBusSettings } from '@ledge/shared/util';
import { chooseAccount, dropCause, type AccountChoice } from './account';
import { applyDesiredState, currentState, NoAnswerError, onFeedback, sendConsent } from './exchanges';
import { formatFeedback, formatInventory } from './format';
import { readDesiredState, UsageError } from './input';

export interface UmIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  setExitCode(code: number): void;
  readFile(path: string): string;
  readStdin(): Promise<string>;
}

export interface UmDeps {
  /** The bus client for these settings (tests: a fake bus). */
  connect?: (options: LocalBusClientOptions) => LocalBusClient;
  /** Ends `watch` (default: Ctrl-C ends the process). */
  signal?: AbortSignal;
  now?: () => number;
  newActivityId?: () => string;
  configDir?: string;
  /** The update manager's packaged password file (default /etc/ledge/secrets/update-manager.password). */
  packagedPasswordFile?: string;
  /** The dev directory looked in without --dev-dir or LEDGE_DEV_DIR (default .ledge-dev, as `ledge run --dev`'s). */
  defaultDevDir?: string;
}

const processIo = (): UmIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  setExitCode: (c) => void (process.exitCode = c),
  readFile: (p) => readFileSync(p, 'utf8'),
  readStdin: async () => {
    let text = '';
    for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
    return text;
  },
});

interface Globals {
  address?: string;
  domain: string;
  timeout?: number;
  'dev-dir'?: string;
}

export function umCommand(cli: Argv, io: UmIo = processIo(), deps: UmDeps = {}): Argv {
  const now = deps.now ?? Date.now;
  const newActivityId = deps.newActivityId ?? randomUUID;

  /** The settings' account, else the update manager's from its packaged or dev password file (account.ts). */
  const account = (a: Globals, settings: LocalBusSettings): AccountChoice => {
    const devDir = a['dev-dir'] !== undefined ? { dir: a['dev-dir'], by: '--dev-dir' } : io.env['LEDGE_DEV_DIR'] ? { dir: io.env['LEDGE_DEV_DIR'], by: 'LEDGE_DEV_DIR' } : undefined;
    return chooseAccount(settings, {
      ...(devDir ? { devDir } : {}),
      defaultDevDir: deps.defaultDevDir ?? DEFAULT_DEV_DIR,
      packagedPasswordFile: deps.packagedPasswordFile ?? localPasswordFileOf('update-manager'),
    });
  };

  /** Connects (ConfigError on bad settings, NoAnswerError when the broker cannot be reached) and runs `fn`. */
  const withBus = async <T>(a: Globals, fn: (bus: LocalBusClient, topics: UpdateTopics, account: AccountChoice) => Promise<T>): Promise<T> => {
    if (!isDomainId(a.domain)) throw new UsageError(`--domain ${JSON.stringify(a.domain)} is not a domain id`);
    const loaded = loadConfig({ app: 'um', spec: localBusSpec, argv: [], env: io.env, ...(deps.configDir ? { configDir: deps.configDir } : {}) });
    const chosen = account(a, { ...loaded.config, ...(a.address !== undefined ? { localAddress: a.address } : {}) });
    const { settings } = chosen;
    const problem = localAddressProblem(settings.localAddress);
    if (problem !== undefined) throw new ConfigError(`--address ${JSON.stringify(settings.localAddress)} ${problem}`);
    const options = { ...localBusClientOptions(settings), clientId: `ledge-um-${randomBytes(4).toString('hex')}`, logger: createLogger({ name: 'ledge', level: 'silent' }) };
    const bus = (deps.connect ?? createLocalBusClient)(options);
    let refused: Error | undefined;
    bus.on('error', (err) => void ((err as { code?: unknown }).code === 'LEDGE_MQTT_CONNECTION_REFUSED' && (refused = err)));
    try {
      await bus.start();
      // A timer of our own, not AbortSignal.timeout: that one does not keep the process waiting for it.
      const giveUp = new AbortController();
      const timer = setTimeout(() => giveUp.abort(), Math.min(5000, (a.timeout ?? 5) * 1000));
      await bus
        .waitForConnection(giveUp.signal)
        .catch(() => {
          const as = settings.localUsername === '' ? 'without an account' : `as ${settings.localUsername}${chosen.source === 'configured' ? '' : ` (password from ${settings.localPasswordFile})`}`;
          if (refused) throw new NoAnswerError(`the local broker at ${settings.localAddress} refused ledge um ${as}: ${refused.message}`);
          throw new NoAnswerError(`cannot reach the local broker at ${settings.localAddress} (is it running? --address or LEDGE_LOCAL_BUS_ADDRESS name it)`);
        })
        .finally(() => clearTimeout(timer));
      return await fn(bus, updateTopics(a.domain), chosen);
    } finally {
      await bus.close();
    }
  };

  const run =
    <T extends Globals>(verb: string, fn: (a: T) => Promise<number>) =>
    async (raw: unknown): Promise<void> => {
      const a = raw as T;
      try {
        if (a.timeout !== undefined && (!Number.isFinite(a.timeout) || a.timeout <= 0)) throw new UsageError('--timeout needs a number of seconds above 0');
        io.setExitCode(await fn(a));
      } catch (err) {
        const usage = err instanceof UsageError || err instanceof ConfigError;
        if (!usage && !(err instanceof NoAnswerError)) throw err;
        io.stderr.write(`ledge um ${verb}: ${err.message}${err instanceof UsageError && err.problems.length > 0 ? `\n${err.problems.map((p) => `  ${p}\n`).join('')}` : '\n'}`);
        io.setExitCode(usage ? 2 : 1);
      }
    };

  const secondsOr = (a: Globals, fallback: number) => (a.timeout ?? fallback) * 1000;
  const json = (v: unknown) => io.stdout.write(`${JSON.stringify(v)}\n`);

  return cli.command('um', "drive the update manager over its local API (Kanto's desired state)", (y) =>
    y
      .option('address', { type: 'string', describe: 'local broker address (default: as the apps find it, /etc/ledge/local-bus.json or LEDGE_LOCAL_BUS_ADDRESS)', global: true })
      .option('domain', { type: 'string', default: io.env['LEDGE_UM_DOMAIN'] || 'device', describe: "the update manager's domain: its topics are <domain>update/… (env LEDGE_UM_DOMAIN)", global: true })
      .option('timeout', { type: 'number', describe: 'seconds to wait for the manager (apply: its first answer, default 30; current: the fresh state, default 75)', global: true })
      .option('dev-dir', {
        type: 'string',
        describe: `under \`ledge run --dev\`: its dev directory, whose secrets/update-manager.password is the account used when none is set (env LEDGE_DEV_DIR; without either: ${localPasswordFileOf('update-manager')} if readable, else ${DEFAULT_DEV_DIR})`,
        global: true,
      })
      .command(
        'apply <file>',
        'apply a desired state (a JSON file, or - for stdin) and print its feedback until COMPLETED (exit 0) or another final status (exit 1)',
        (c) =>
          c
            .positional('file', { type: 'string', describe: 'the desired state: {"domains": [...], "baselines": [...]}' })
            .option('activity-id', { type: 'string', describe: 'the activity\'s id (default a fresh UUID)' })
            .option('json', { type: 'boolean', default: false, describe: 'print each feedback as a JSON line' }),
        run<Globals & { file: string; 'activity-id'?: string; json: boolean }>('apply', async (a) => {
          // yargs hands `-` over as '' (it takes it for a flag without a name): stdin either way.
          const input = await readDesiredState(a.file === '' ? '-' : a.file, io);
          const activityId = a['activity-id'] ?? input.activityId ?? newActivityId();
          if (!a.json) io.stderr.write(`activity ${activityId}\n`);
          const final = await withBus(a, (bus, topics, account) => {
            const cause = dropCause(account);
            return applyDesiredState(bus, topics, {
              activityId,
              desiredState: input.desiredState,
              firstAnswerMs: secondsOr(a, 30),
              now,
              onFeedback: (fb) => (a.json ? json({ activityId, ...fb }) : io.stdout.write(formatFeedback(fb))),
              ...(cause !== undefined ? { dropCause: cause } : {}),
            });
          });
          return final.status === 'COMPLETED' ? 0 : 1;
        }),
      )
      .command(
        'current',
        "print the device's current state (asks the manager for a fresh one; the last reported one if it does not answer in time)",
        (c) => c.option('json', { type: 'boolean', default: false, describe: 'print the inventory as JSON' }),
        run<Globals & { json: boolean }>('current', async (a) => {
          const got = await withBus(a, (bus, topics) => currentState(bus, topics, { activityId: newActivityId(), timeoutMs: secondsOr(a, 75), now }));
          if (got === undefined) throw new NoAnswerError('no current state: the update manager did not answer and has reported none; is ledge-update-manager running (ledge status)?');
          if (!got.fresh) io.stderr.write('ledge um current: the update manager did not answer in time; this is the last current state it reported\n');
          io.stdout.write(a.json ? `${JSON.stringify(got.inventory, null, 2)}\n` : formatInventory(got.inventory));
          return 0;
        }),
      )
      .command(
        'watch',
        "print every activity's feedback as it comes (Ctrl-C ends)",
        (c) => c.option('activity-id', { type: 'string', describe: 'only this activity' }).option('json', { type: 'boolean', default: false, describe: 'JSON lines' }),
        run<Globals & { 'activity-id'?: string; json: boolean }>('watch', async (a) =>
          withBus(a, async (bus, topics) => {
            const remove = await onFeedback(bus, topics, (e) => {
              if (a['activity-id'] !== undefined && e.activityId !== a['activity-id']) return;
              if (a.json) json({ activityId: e.activityId, timestamp: e.timestamp, ...e.feedback });
              else io.stdout.write(formatFeedback(e.feedback, `[${e.activityId}] `));
            });
            await new Promise<void>((resolve) => deps.signal?.addEventListener('abort', () => resolve(), { once: true }));
            remove();
            return 0;
          }),
        ),
      )
      .command(
        'consent <activity-id> <answer>',
        'answer the owner consent the manager asks for (deviceupdate/ownerconsent): APPROVED or DENIED',
        (c) => c.positional('activity-id', { type: 'string' }).positional('answer', { type: 'string', describe: 'APPROVED or DENIED' }),
        run<Globals & { 'activity-id': string; answer: string }>('consent', async (a) => {
          const status = a.answer.toUpperCase();
          if (status !== 'APPROVED' && status !== 'DENIED') throw new UsageError(`${JSON.stringify(a.answer)} is not APPROVED or DENIED`);
          await withBus(a, async (bus, topics, account) => {
            await sendConsent(bus, topics, { activityId: a['activity-id'], status, now });
            // acknowledged either way (MQTT 3.1.1): say when the broker likely dropped it
            const cause = dropCause(account);
            if (cause !== undefined) io.stderr.write(`ledge um consent: sent, but the update manager may never see it: ${cause}\n`);
          });
          return 0;
        }),
      )
      .demandCommand(1, 'name a um command, e.g. `ledge um apply desired-state.json`'),
  );
}
