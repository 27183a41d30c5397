// ledge-connector: the gateway's cloud link. Config: /etc/ledge/connector.json < LEDGE_CONNECTOR_* < flags (README).
import { main } from '@ledge/shared/util';
import { connectorEntry } from './app';

void main(connectorEntry);
