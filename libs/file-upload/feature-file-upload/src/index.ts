export { createAutoUploadable } from './auto-uploadable';
export type { AutoUploadable, AutoUploadableSettings, AutoUploadableDeps } from './auto-uploadable';
export { createFileUploadApp, createUploadProviders, fileUploadEntry } from './app';
export type { FileUploadConfig, FileUploadDeps } from './app';
export { expandGlob, selectFiles, confine, fileSource, md5Base64 } from './files';
export { fileCheckpoint, checkpointKey } from './checkpoints';
export { FileUploadFeatureErrorCodes } from './errors';
