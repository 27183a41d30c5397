// ledge-connector: the gateway's cloud link. Config: /etc/ledge/connector.json < LEDGE_CONNECTOR_* < flags (README).
import { exitOnConfigError, main } from '@ledge/util';
import { connectorEntry } from './app';

// Keys that depend on `mode` are checked when the app is created: a ConfigError there also exits 2.
void main({
  ...connectorEntry,
  create: (config, deps) => {
    try {
      return connectorEntry.create(config, deps);
    } catch (err) {
      exitOnConfigError('ledge-connector', err);
    }
  },
});
