// `ledge cm` run in the test's process, as apps/ledge/src/main.ts runs it (its fail handler exits 2 before
// any command handler runs): what it wrote and its exit code.
import yargs from 'yargs';
import { cmCommand } from '@ledge/container-management/feature-cm-cli';

export interface CmRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCm(args: string[], env: Record<string, string> = {}, tty = false): Promise<CmRun> {
  const out: CmRun = { code: 0, stdout: '', stderr: '' };
  const io = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s), isTTY: tty }, env, setExitCode: (c: number) => void (out.code = c) };
  const usage = new Error('usage');
  try {
    await cmCommand(yargs(args), io)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        if (err) throw err;
        out.stderr += `${msg}\n`;
        out.code = 2;
        throw usage;
      })
      .parseAsync();
  } catch (err) {
    if (err !== usage) throw err;
  }
  return out;
}
