// `ledge cm`: the Kanto kanto-cm CLI (§4.3) over the daemon's local API (issue 4 item 6).
// Exit codes: 0 ok, 1 the operation failed or the daemon is unreachable (message on stderr), 2 usage or a
// Kanto flag this daemon cannot honour (`start --i`, `create --dec-keys`); `start --a`: the container's.
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { ApiCallError, createCmClient, DaemonUnreachableError, type CmClient } from './client';
import { descriptorFromFlags, healthCheckFromFlags, refuseDecryption, UnsupportedError, updateFromFlags, UsageError, type CreateFlags, type UpdateFlags } from './create-flags';
import { applyFilters, formatTable, parseFilters, type ApiContainer } from './format';
import { createWithProgress, printLogStream, startAttached } from './streams';

export const DEFAULT_CM_HOST = '/run/ledge/container-management.sock';

/** Where the command writes and how it ends; defaults are the process's. */
export interface CmIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  setExitCode(code: number): void;
}

const processIo = (): CmIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  setExitCode: (code) => void (process.exitCode = code),
});

interface Globals {
  host: string;
  timeout: number;
  debug?: boolean;
}
type Args<T> = Globals & T & { name?: string; id?: string };

const RP_CHOICES = ['no', 'always', 'unless-stopped', 'on-failure', 'on-unhealthy'];

const enc = encodeURIComponent;

function refOf(a: { id?: string; name?: string }): string {
  const ref = a.name ?? a.id;
  if (ref === undefined || ref === '') throw new UsageError('name a container: <id> or -n <name>');
  return ref;
}

function withRef(y: Argv): Argv {
  return y.positional('id', { type: 'string', describe: 'container ID (or use -n)' }).option('name', { alias: 'n', type: 'string', describe: 'container name instead of the ID' });
}

function restartFlags(y: Argv): Argv {
  return y
    .option('rp', { type: 'string', choices: RP_CHOICES, describe: 'restart policy (on-unhealthy: unless-stopped, and restarted when its health check fails)' })
    .option('rp-cnt', { type: 'number', describe: 'on-failure: restarts allowed (default 1)' })
    .option('rp-to', { type: 'number', describe: 'on-failure: seconds after which the count resets (default 30)' })
    .option('memory', { alias: 'm', type: 'string', describe: 'hard memory limit, e.g. 200M (min 3M)' })
    .option('memory-reservation', { type: 'string', describe: 'soft memory limit' })
    .option('memory-swap', { type: 'string', describe: 'memory + swap limit, -1 = unlimited swap' });
}

/** yargs turns `--timeout abc` into NaN; that is a usage error, not a value to send. */
function checkNumbers(a: Record<string, unknown>): void {
  const bad = Object.keys(a).filter((k) => typeof a[k] === 'number' && Number.isNaN(a[k]));
  if (bad.length === 0) return;
  const flag = bad.find((k) => k.includes('-')) ?? bad.sort((x, y) => y.length - x.length)[0]!;
  throw new UsageError(`${flag.length === 1 ? '-' : '--'}${flag} needs a number`);
}

export function cmCommand(cli: Argv, io: CmIo = processIo()): Argv {
  const debugOn = (a: Globals) => a.debug === true;
  const client = (a: Globals): CmClient =>
    createCmClient({ socketPath: a.host, timeoutMs: Math.max(0, a.timeout) * 1000, ...(debugOn(a) ? { trace: (l: string) => io.stderr.write(`ledge cm debug: ${l}\n`) } : {}) });
  const run =
    <T>(verb: string, fn: (a: Args<T>) => Promise<void>) =>
    async (a: unknown): Promise<void> => {
      try {
        checkNumbers(a as Record<string, unknown>);
        await fn(a as Args<T>);
      } catch (err) {
        const usage = err instanceof UsageError;
        const unsupported = err instanceof UnsupportedError;
        const known = usage || unsupported || err instanceof ApiCallError || err instanceof DaemonUnreachableError;
        io.stderr.write(`ledge cm ${verb}: ${err instanceof Error ? err.message : String(err)}${usage ? ' (see ledge cm ' + verb + ' --help)' : ''}\n`);
        if (!known && err instanceof Error && debugOn(a as Globals)) io.stderr.write(`${err.stack}\n`);
        io.setExitCode(usage || unsupported ? 2 : 1);
      }
    };
  const print = (o: unknown) => io.stdout.write(`${JSON.stringify(o, null, 2)}\n`);

  return cli.command('cm', 'manage the containers of the local container-management daemon (kanto-cm compatible)', (y) =>
    y
      .option('host', { type: 'string', default: io.env['LEDGE_CM_HOST'] || DEFAULT_CM_HOST, describe: 'unix socket of the daemon\'s local API (env LEDGE_CM_HOST)', global: true })
      .option('timeout', { type: 'number', default: 30, describe: 'seconds without an answer before a call fails', global: true })
      .option('debug', { type: 'boolean', default: Boolean(io.env['LEDGE_CM_DEBUG']), describe: 'trace every local-API request and response with timings on stderr (env LEDGE_CM_DEBUG)', global: true })
      .command(
        'create [image] [command] [args..]',
        'create a container (pulls the image; progress on stderr); prints its ID',
        (c) =>
          restartFlags(c)
            .positional('image', { type: 'string', describe: 'image reference, e.g. docker.io/library/busybox:latest' })
            .positional('command', { type: 'string', describe: 'command replacing the image CMD (put -- before it when it has options)' })
            .positional('args', { type: 'string', array: true, describe: 'arguments of the command' })
            .option('name', { alias: 'n', type: 'string', describe: 'container name (default derived from the image, made unique)' })
            .option('file', { alias: 'f', type: 'string', describe: 'a §4.2 container descriptor (JSON) instead of <image> and flags; -n overrides its name' })
            .option('start', { type: 'boolean', describe: 'start the container once created' })
            .option('t', { type: 'boolean', describe: 'Kanto --t: record a TTY in the config (tasks run without one)' })
            .option('i', { type: 'boolean', describe: 'Kanto --i: record open stdin in the config (tasks run with stdin /dev/null)' })
            .option('privileged', { type: 'boolean', describe: 'run privileged' })
            .option('devices', { type: 'string', describe: 'hostPath:containerPath[:rwm]' })
            .option('ports', { type: 'string', describe: '[ip:]hostPort[-hostPortEnd]:containerPort[/proto]' })
            .option('network', { type: 'string', choices: ['bridge', 'host'], describe: 'network mode (default bridge)' })
            .option('hosts', { type: 'string', describe: 'extra /etc/hosts entries host:ip (ip host_ip = the gateway)' })
            .option('mp', { type: 'string', describe: 'mount source:destination[:propagation]' })
            .option('e', { type: 'string', describe: 'environment VAR=value' })
            .option('cap-add', { type: 'string', describe: 'extra Linux capabilities, e.g. CAP_NET_ADMIN' })
            .option('log-driver', { type: 'string', choices: ['json-file', 'none'], describe: 'log driver (default json-file)' })
            .option('log-max-files', { type: 'number', describe: 'json-file: files kept (default 2)' })
            .option('log-max-size', { type: 'string', describe: 'json-file: rotate size (default 100M)' })
            .option('log-path', { type: 'string', describe: 'directory of the log files' })
            .option('log-mode', { type: 'string', choices: ['blocking', 'non-blocking'], describe: 'log mode (default blocking)' })
            .option('log-max-buffer-size', { type: 'string', describe: 'non-blocking: buffer size (default 1M)' })
            .option('dec-keys', { type: 'string', describe: 'private key path[:password] of an encrypted image (not supported: refused, exit code 2)' })
            .option('dec-recipients', { type: 'string', describe: 'pkcs7:<cert> recipient of an encrypted image (not supported: refused, exit code 2)' })
            .option('health-cmd', { type: 'string', describe: 'health check: a shell command run in the container (/bin/sh -c); healthy on exit 0' })
            .option('health-http', { type: 'string', describe: 'health check: <port><path>, e.g. 8080/healthz: a GET to the container; healthy on 2xx/3xx' })
            .option('health-tcp', { type: 'string', describe: 'health check: <port>: healthy when the container accepts a connection' })
            .option('health-interval', { type: 'string', describe: 'health check: time between probes (default 10s)' })
            .option('health-timeout', { type: 'string', describe: 'health check: a slower probe fails (default 5s)' })
            .option('health-retries', { type: 'number', describe: 'health check: failed probes in a row before unhealthy (default 3)' })
            .option('health-start-period', { type: 'string', describe: 'health check: failures this soon after the start do not count (default 0s)' }),
        run<CreateFlags & { file?: string; start?: boolean }>('create', async (a) => {
          let descriptor: Record<string, unknown>;
          if (a.file !== undefined) {
            if (a.image !== undefined) throw new UsageError('give either -f <descriptor> or <image>, not both');
            descriptor = readDescriptor(a.file);
            if (a.name) descriptor = { ...descriptor, container_name: a.name };
            const health = healthCheckFromFlags(a);
            if (health) descriptor = { ...descriptor, health_check: health };
            if (a.decKeys !== undefined || a.decRecipients !== undefined) descriptor = { ...descriptor, image: { ...(descriptor['image'] as object), decrypt_config: { keys: list(a.decKeys), recipients: list(a.decRecipients) } } };
            refuseDecryption(descriptor);
          } else {
            if (a.image === undefined) throw new UsageError('an image is required: ledge cm create [options] <image> [command] [args..]');
            const lists = { devices: list(a.devices), ports: list(a.ports), hosts: list(a.hosts), mp: list(a.mp), e: list(a.e), capAdd: list(a.capAdd), decKeys: list(a.decKeys), decRecipients: list(a.decRecipients) };
            // Words after `--` stay in `_` (after `cm create`): they are the command and its arguments.
            const positional = list((a as { _?: unknown })._);
            const rest = positional.slice(positional.indexOf('create') + 1);
            const words = [...(a.command !== undefined ? [a.command] : []), ...list(a.args), ...rest];
            descriptor = descriptorFromFlags({ ...a, ...lists, image: a.image, ...(words.length ? { command: words[0]!, args: words.slice(1) } : {}) });
          }
          await createWithProgress(client(a), descriptor, a.start === true, io);
        }),
      )
      .command('get [id]', 'print a container as JSON', withRef, run('get', async (a) => void print((await client(a).json('GET', `/v1/containers/${enc(refOf(a))}`))['container'])))
      .command(
        'list',
        'list containers as a table',
        (c) =>
          c
            .option('quiet', { alias: 'q', type: 'boolean', describe: 'only IDs' })
            .option('filter', { type: 'string', describe: 'status=<status>, image=<image>, exitcode=<code>, health=<starting|healthy|unhealthy|none> (all must match)' }),
        run<{ quiet?: boolean; filter?: string | string[] }>('list', async (a) => {
          const filters = parseFilters(list(a.filter));
          const body = await client(a).json('GET', '/v1/containers');
          const all = Array.isArray(body['containers']) ? (body['containers'] as ApiContainer[]) : [];
          const shown = applyFilters(all, filters);
          io.stdout.write(a.quiet ? shown.map((c) => `${c.id}\n`).join('') : formatTable(shown));
        }),
      )
      .command(
        'logs [id]',
        'print a container\'s log',
        (c) =>
          withRef(c)
            .option('tail', { alias: 't', type: 'number', default: 100, describe: 'last N lines, -1 = all' })
            .option('follow', { alias: 'f', type: 'boolean', describe: 'keep printing new lines until the container stops (or Ctrl-C)' }),
        run<{ tail: number; follow?: boolean }>('logs', async (a) => {
          if (!Number.isInteger(a.tail) || a.tail < -1) throw new UsageError('--tail must be an integer >= -1');
          // until=exit: the daemon ends a follow once the container stops (at once when it is not running).
          const res = await client(a).call('GET', `/v1/containers/${enc(refOf(a))}/logs?tail=${a.tail}${a.follow ? '&follow=1&until=exit' : ''}`, undefined, { idleTimeout: !a.follow });
          await printLogStream(res, io);
        }),
      )
      .command(
        'start [id]',
        'start a container; with --a, print its output until it exits and exit with its exit code',
        (c) =>
          withRef(c)
            .option('a', { type: 'boolean', describe: 'Kanto --a (attach): stream stdout/stderr until the container exits; exit with its code (Ctrl-C detaches)' })
            .option('i', { type: 'boolean', describe: 'Kanto --i (attach stdin): not supported, tasks run with stdin /dev/null (exit code 2)' }),
        run<{ a?: boolean; i?: boolean }>('start', async (a) => {
          const ref = refOf(a);
          if (a.i) throw new UnsupportedError('--i (attach stdin) is not supported: the daemon starts tasks with stdin /dev/null (no stdin FIFO), so nothing could be written to the container; use --a for its output');
          if (a.a) return startAttached(client(a), ref, io);
          await client(a).json('POST', `/v1/containers/${enc(ref)}/start`);
        }),
      )
      .command(
        'stop [id]',
        'stop a container',
        (c) =>
          withRef(c)
            .option('time', { alias: 't', type: 'number', describe: 'seconds to wait before SIGKILL (default: the daemon\'s)' })
            .option('force', { alias: 'f', type: 'boolean', describe: 'SIGKILL after the timeout (default true)' })
            .option('signal', { alias: 's', type: 'string', describe: 'signal to send (default SIGTERM)' }),
        run<{ time?: number; force?: boolean; signal?: string }>('stop', async (a) => {
          const body = { ...(a.time !== undefined ? { timeout: a.time } : {}), ...(a.force !== undefined ? { force: a.force } : {}), ...(a.signal ? { signal: a.signal } : {}) };
          await client(a).json('POST', `/v1/containers/${enc(refOf(a))}/stop`, body);
        }),
      )
      .command(
        'remove [ids..]',
        'remove containers',
        (c) =>
          c
            .positional('ids', { type: 'string', describe: 'container IDs' })
            .option('name', { alias: 'n', type: 'string', describe: 'container name instead of an ID' })
            .option('force', { alias: 'f', type: 'boolean', describe: 'remove even when running (kills it)' })
            .option('time', { alias: 't', type: 'number', describe: 'with -f: seconds for a graceful stop before the kill' }),
        run<{ ids?: string[]; force?: boolean; time?: number }>('remove', async (a) => {
          const refs = [...(a.ids ?? []), ...(a.name ? [a.name] : [])];
          if (refs.length === 0) throw new UsageError('name a container: <id>... or -n <name>');
          const c = client(a);
          let failed: unknown;
          for (const ref of refs) {
            try {
              if (a.force && a.time !== undefined) {
                await c.json('POST', `/v1/containers/${enc(ref)}/stop`, { timeout: a.time, force: true }).catch((err: unknown) => {
                  if (!(err instanceof ApiCallError && err.status === 409)) throw err;
                });
              }
              await c.json('DELETE', `/v1/containers/${enc(ref)}${a.force ? '?force=1' : ''}`);
            } catch (err) {
              if (err instanceof DaemonUnreachableError || refs.length === 1) throw err;
              io.stderr.write(`ledge cm remove: ${(err as Error).message}\n`);
              failed = err;
            }
          }
          if (failed) io.setExitCode(1);
        }),
      )
      .command(
        'rename [id] [new-name]',
        'rename a container: rename <id> <new-name> or rename -n <name> <new-name>',
        (c) => withRef(c).positional('new-name', { type: 'string', describe: 'the new name' }),
        run<{ newName?: string }>('rename', async (a) => {
          const [ref, newName] = a.name !== undefined ? [a.name, a.newName ?? a.id] : [a.id, a.newName];
          if (ref === undefined || newName === undefined) throw new UsageError('usage: rename <id> <new-name> or rename -n <name> <new-name>');
          await client(a).json('POST', `/v1/containers/${enc(ref)}/rename`, { name: newName });
        }),
      )
      .command(
        'update [id]',
        'change the restart policy or memory limits of a container',
        (c) => restartFlags(withRef(c)),
        run<UpdateFlags>('update', async (a) => void (await client(a).json('POST', `/v1/containers/${enc(refOf(a))}/update`, updateFromFlags(a)))),
      )
      .command(
        'sysinfo',
        'print the daemon\'s version and container engine',
        (c) => c,
        run('sysinfo', async (a) => {
          const info = await client(a).json('GET', '/v1/sysinfo');
          const engine = (info['engine'] ?? {}) as Record<string, unknown>;
          io.stdout.write(
            `Version: ${String(info['version'])}\nAPI: ${String(info['api'])}\nEngine: ${String(engine['engine'])} ${String(engine['version'])} (${String(engine['revision'])})\nNamespace: ${String(engine['namespace'])}\nContainers: ${String(info['containers'])}\n`,
          );
        }),
      )
      .demandCommand(1, 'name a cm command, e.g. `ledge cm list`'),
  );
}

/** A repeatable flag: yargs gives a string once, an array when repeated (flags are not greedy, as cobra's). */
function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function readDescriptor(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`${file} is not a container descriptor: ${(err as Error).message}`);
  }
}
