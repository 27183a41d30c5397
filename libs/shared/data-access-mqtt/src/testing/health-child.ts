// A process that reports health and, on "hang" on stdin, blocks its event loop for good (health.int.spec).
// argv: <broker url> <app> <keepalive seconds>
import { createLogger } from '@ledge/shared/util';
import { createHealthReporter } from '../health';

const [url, app, keepalive] = process.argv.slice(2);
const reporter = createHealthReporter({ app: app!, bus: { url: url! }, version: 'test', keepaliveSeconds: Number(keepalive), logger: createLogger({ name: app!, level: 'silent' }) });
reporter.bus.on('connected', () => void process.stdout.write('connected\n'));
void reporter.start();
process.stdin.on('data', (d: Buffer) => {
  if (d.toString().includes('hang')) {
    process.stdout.write('hanging\n', () => {
      for (;;) {
        // an app stuck in a loop: no PINGREQ goes out any more
      }
    });
  }
});
