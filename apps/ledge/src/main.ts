// The `ledge` command: `ledge run` hosts the stack, `ledge status` shows it; more verbs (e.g. `ledge cm`) are added per app.
import yargs from 'yargs';
import { cmCommand } from '@ledge/container-management-cli';
import { statusCommand } from '@ledge/status-feature';
import { containerSummary } from './containers';
import { runCommand } from './run-command';

void statusCommand(cmCommand(runCommand(yargs(process.argv.slice(2)).scriptName('ledge'))), { containers: containerSummary })
  .demandCommand(1, 'name a command, e.g. `ledge run`')
  .strict()
  .version(process.env['LEDGE_VERSION'] ?? 'dev')
  .help()
  .fail((msg, err) => {
    if (err) throw err;
    process.stderr.write(`ledge: ${msg} (see ledge --help)\n`);
    process.exit(2);
  })
  .parseAsync();
