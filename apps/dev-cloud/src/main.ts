// ledge-dev-cloud: a local stand-in for Hono's MQTT adapter and Ditto's HTTP API (npm start). Config: /etc/ledge/dev-cloud.json < LEDGE_DEV_CLOUD_* < flags (README).
import { main } from '@ledge/shared/util';
import { devCloudEntry } from '@ledge/dev-cloud/feature-dev-cloud';

void main(devCloudEntry);
