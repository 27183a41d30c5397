// The `ledge` command: `ledge run` hosts the stack, `ledge status` shows it, `ledge diag` bundles it for
// support, `ledge logs` reads an app's journal; more verbs (`ledge cm`, `ledge um`) are added per app.
import yargs from 'yargs';
import { cmCommand } from '@ledge/container-management/feature-cm-cli';
import { diagCommand, logsCommand, statusCommand } from '@ledge/shared/feature-status';
import { umCommand } from '@ledge/update-manager/feature-um-cli';
import { appConfigs } from './app-configs';
import { containerSummary } from './containers';
import { runCommand } from './run-command';

const operator = { containers: containerSummary };
let cli = yargs(process.argv.slice(2)).scriptName('ledge');
cli = runCommand(cli);
cli = cmCommand(cli);
cli = umCommand(cli);
cli = statusCommand(cli, operator);
cli = diagCommand(cli, { ...operator, configs: () => appConfigs() });
cli = logsCommand(cli);

void cli
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
