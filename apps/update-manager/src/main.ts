// ledge-update-manager: Kanto's update manager (desired state across the update agents). Config: /etc/ledge/update-manager.json < LEDGE_UPDATE_MANAGER_* < flags (README).
import { main } from '@ledge/shared/util';
import { updateManagerEntry } from '@ledge/update-manager/feature-update-manager';

void main(updateManagerEntry);
