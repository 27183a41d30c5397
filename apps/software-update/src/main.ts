// ledge-software-update: the hawkBit SoftwareUpdatable feature. Config: /etc/ledge/software-update.json < LEDGE_SOFTWARE_UPDATE_* < flags (README).
import { main } from '@ledge/shared/util';
import { softwareUpdateEntry } from '@ledge/software-update/feature-software-update';

void main(softwareUpdateEntry);
