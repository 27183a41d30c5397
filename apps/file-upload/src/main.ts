// ledge-file-upload: the AutoUploadable feature (Kanto file-upload). Config: /etc/ledge/file-upload.json < LEDGE_FILE_UPLOAD_* < flags (README).
import { main } from '@ledge/shared/util';
import { fileUploadEntry } from '@ledge/file-upload/feature-file-upload';

void main(fileUploadEntry);
