// ledge-file-backup: Kanto's BackupAndRestore feature (zip a directory, upload it; restore one atomically). Config: /etc/ledge/file-backup.json < LEDGE_FILE_BACKUP_* < flags (README).
import { main } from '@ledge/shared/util';
import { fileBackupEntry } from '@ledge/file-upload/feature-file-upload';

void main(fileBackupEntry);
