export type { FeatureRecord, JsonObject, SyncMark, ThingRecord, TwinContext, TwinFeature, TwinMessage, TwinRead, TwinUplink, TwinWrite } from './twin-types';
