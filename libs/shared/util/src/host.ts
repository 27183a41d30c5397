// All-in-one mode: several apps in one Node process, so a small gateway pays the runtime once. Apps
// start in the order given (the broker first) and close in reverse order.
import type { Logger } from 'pino';
import type { ConfigSpec } from './config';
import { prepareConfig, type AppEntry, type PrepareOptions } from './app-entry';
import { onlyOnce, type App } from './lifecycle';
import { redactObject } from './logger';

export interface HostOptions extends Omit<PrepareOptions, 'argv' | 'hostDefaults'> {
  logger: Logger;
  /** Per app: defaults the host knows better (the broker's real listener, local credentials). */
  hostDefaults?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Per app: values the host sets over the app's own config (the broker's resolved port, added accounts). */
  overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Builds one App from several entries. Each entry's config is read from its own file and env
 * (flags are the host's); a bad config throws ConfigError before anything starts.
 */
export function hostApps(entries: readonly AppEntry<ConfigSpec>[], options: HostOptions): App {
  const apps = entries.map((entry) => {
    const loaded = prepareConfig(entry, { ...options, hostDefaults: options.hostDefaults?.[entry.name] ?? {} });
    const { sources, configFile } = loaded;
    const config = { ...loaded.config, ...options.overrides?.[entry.name] };
    const logger = options.logger.child({ app: entry.name });
    logger.level = String(config['logLevel'] ?? 'info');
    logger.debug({ config: redactObject(config), sources, configFile }, 'effective config');
    return { name: entry.name, app: entry.create(config, { logger }) };
  });
  const started: typeof apps = [];
  const close = onlyOnce(async () => {
    for (const { name, app } of started.reverse()) {
      try {
        await app.close();
      } catch (err) {
        options.logger.error({ err, app: name }, 'app close failed');
      }
    }
  });
  return {
    async start() {
      for (const entry of apps) {
        await entry.app.start();
        started.push(entry);
        options.logger.info({ app: entry.name }, 'app started');
      }
    },
    close,
  };
}
