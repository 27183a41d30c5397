// ledge-bootstrapping: Kanto's suite-bootstrapping agent (one-shot: exits 0 once the provisioning is written). Config: /etc/ledge/bootstrapping.json < LEDGE_BOOTSTRAPPING_* < flags (README).
import { main } from '@ledge/shared/util';
import { bootstrappingEntry } from '@ledge/connector/feature-bridge';

void main(bootstrappingEntry);
