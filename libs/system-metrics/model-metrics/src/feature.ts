// The Metrics feature of Kanto's system-metrics on the gateway thing.
export const METRICS_FEATURE_ID = 'Metrics';
export const METRICS_DEFINITION = Object.freeze(['com.bosch.iot.suite.edge.metric:Metrics:1.0.0']);
/** Inbox subject that starts, changes or stops reporting. */
export const METRICS_REQUEST = 'request';
/** Outbox subject of each report. */
export const METRICS_DATA = 'data';
