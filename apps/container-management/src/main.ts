// ledge-container-management: OCI containers on containerd, managed through Ditto on <device>:edge:containers.
// Config: /etc/ledge/container-management.json < LEDGE_CONTAINER_MANAGEMENT_* < flags (README).
import { containerManagementEntry } from '@ledge/container-management/feature-containers';
import { main } from '@ledge/shared/util';

void main(containerManagementEntry);
