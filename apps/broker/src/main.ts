// ledge-broker: the local MQTT bus. Config: /etc/ledge/broker.json < LEDGE_BROKER_* < flags (README).
import { main } from '@ledge/shared/util';
import { brokerEntry } from './app';

void main(brokerEntry);
