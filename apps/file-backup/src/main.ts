// ledge-file-backup: Kanto's BackupAndRestore feature (zip a directory, upload it; restore one atomically). Config: /etc/ledge/file-backup.json < LEDGE_FILE_BACKUP_* < flags (README).
import { main } from '@ledge/util';
import { fileBackupEntry } from '@ledge/file-upload-feature';

void main(fileBackupEntry);
