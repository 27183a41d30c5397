export { createDittoService, defaultDittoServiceOptions } from './ditto-service';
export type { DittoService, DittoServiceOptions } from './ditto-service';
export type { SetTimer, BasicAuth } from './http-io';
export { createDevCloud, devCloudEntry } from './dev-cloud-app';
export type { DevCloudConfig, DevCloudAddresses, DevCloudDeps } from './dev-cloud-app';
export { ensureDevices, DEV_GATEWAY } from './devices';
export { createFileStore } from './file-store';
export type { FileStore, FileStoreOptions, StoredFile } from './file-store';
