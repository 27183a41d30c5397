// The Metrics feature of Kanto's system-metrics on the gateway thing (IDs and definitions: @ledge/shared/model-ditto).
import { FeatureDefinitionLists, FeatureIds } from '@ledge/shared/model-ditto';

export const METRICS_FEATURE_ID = FeatureIds.metrics;
export const METRICS_DEFINITION = FeatureDefinitionLists.metrics;
/** Inbox subject that starts, changes or stops reporting. */
export const METRICS_REQUEST = 'request';
/** Outbox subject of each report. */
export const METRICS_DATA = 'data';
