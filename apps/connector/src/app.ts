// The connector app: the bridge's AppEntry with the protocol registry of this build.
import { createConnectorEntry } from '@ledge/connector-bridge';
import { connectorProtocols } from './protocols';

export const connectorEntry = createConnectorEntry(connectorProtocols);
