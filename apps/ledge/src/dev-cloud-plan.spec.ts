// `ledge run --dev-cloud`'s plan for the connector (issue 24): the dev cloud's address and gateway device,
// and a reconnect fit for a cloud that runs beside the stack. With `--processes` every child starts at once,
// so the connector's first dial may come before the dev cloud listens; after that refusal, Kanto's default
// reconnect (60 s ±25 %) kept the gateway offline for up to 75 s (dev-cloud.int.spec timed out at 60 s).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorConfig } from '@ledge/connector/feature-bridge';
import { createBackoff, prepareConfig } from '@ledge/shared/util';
import { createTempDir } from '@ledge/shared/util/testing';
import { hostedApps } from './apps';
import { planDevCloud } from './dev-cloud-plan';

/** The connector's config as `ledge run` loads it (its entry is lazy-loaded, as in apps.ts). */
async function connectorConfig(options: { env: Record<string, string>; devDir: string; configDir: string }): Promise<ConnectorConfig> {
  const entry = await hostedApps.find((a) => a.name === 'connector')!.load();
  return prepareConfig(entry, options).config as unknown as ConnectorConfig;
}

/** The connector's reconnect delays (ms) after refused dials, each at the top of its jitter. */
function worstDelays(c: ConnectorConfig, attempts: number): number[] {
  const backoff = createBackoff({ initialMs: c.backoffInitial * 1000, maxMs: c.backoffMax * 1000, multiplier: c.backoffMultiplier, jitter: c.backoffJitter, random: () => 1 });
  return Array.from({ length: attempts }, () => backoff.next());
}

describe("ledge run --dev-cloud's plan for the connector", () => {
  it('a dev cloud that refused the first dial (not listening yet, or restarting) is dialled again within about a second, then at most ~6 s apart; all-in-one and --processes alike', async (t) => {
    const devDir = createTempDir(t);
    const configDir = createTempDir(t);
    const plan = await planDevCloud({ env: { LEDGE_DEV_CLOUD_MQTT_PORT: '18999' }, devDir });
    // --processes: the connector child reads the plan's env
    const child = await connectorConfig({ env: { ...plan.connectorEnv }, devDir, configDir });
    // all-in-one: the plan's values are config overrides over the connector's own config (hostApps)
    const hosted = { ...(await connectorConfig({ env: {}, devDir, configDir })), ...plan.connector } as ConnectorConfig;
    for (const [mode, config] of [['--processes', child], ['all-in-one', hosted]] as const) {
      assert.equal(config.address, 'mqtt://127.0.0.1:18999', mode);
      const delays = worstDelays(config, 8);
      assert.ok(delays[0]! <= 1_250, `${mode}: first redial after ${delays[0]} ms`);
      assert.ok(Math.max(...delays) <= 6_250, `${mode}: redials ${delays.join(', ')} ms`);
    }
  });

  it('without --dev-cloud the connector keeps its reconnect for a remote cloud (Kanto: 60 s, up to 240 s)', async (t) => {
    const config = await connectorConfig({ env: {}, devDir: createTempDir(t), configDir: createTempDir(t) });
    assert.deepEqual([config.backoffInitial, config.backoffMax], [60, 240]);
  });
});
