export { startArtifactServer } from './artifact-server';
export type { ArtifactServer, Misbehaviour, RequestRecord } from './artifact-server';
