// Integration-test fixtures of the connector app: the Ledge broker and connector bundles. The Mosquittos
// playing the cloud live in @ledge/shared/data-access-mqtt/testing (cloud-mosquitto.ts).
import { freePort } from '@ledge/shared/data-access-mqtt/testing';
import { bundlePath, createTempDir, spawnNode, type Spawned, type TestContextLike } from '@ledge/shared/util/testing';

export interface LedgeBroker {
  port: number;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The Ledge broker bundle on a free port; restartable on the same port and data dir. */
export async function startLedgeBroker(t: TestContextLike, extraArgs: string[] = []): Promise<LedgeBroker> {
  const dataDir = createTempDir(t, 'ledge-broker-');
  const port = await freePort();
  let proc: Spawned | undefined;
  const start = async () => {
    const p = spawnNode(t, bundlePath('broker'), { args: ['--port', String(port), '--dataDir', dataDir, ...extraArgs] });
    proc = p;
    await p.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp');
  };
  await start();
  return {
    port,
    start,
    async stop(signal = 'SIGTERM') {
      const p = proc;
      proc = undefined;
      if (p) await p.kill(signal);
    },
  };
}

/** The connector bundle with flags (small backoff for tests). */
export function spawnConnector(t: TestContextLike, args: Record<string, string | number | boolean>): Spawned {
  const flags = Object.entries({ backoffInitial: 0.2, backoffMax: 1, logLevel: 'debug', ...args }).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return spawnNode(t, bundlePath('connector'), { args: flags });
}
