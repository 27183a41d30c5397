// The UpdateManager Ditto feature (Kanto update-manager things/update_manager_feature.go): how a Kanto
// backend drives the manager through the cloud.
// inbox `apply` {activityId,timestamp,desiredState} (400 without desiredState), `refresh`
// {activityId,timestamp}, `consent` {activityId,timestamp,ownerConsentFeedback:{status}} matched by the
// correlation-id of the last outbox `consent`; properties {domain,activityId,timestamp,inventory};
// outbox `feedback` {activityId,timestamp,desiredStateFeedback} and `consent` {activityId,timestamp,ownerConsent}.
export const UPDATE_MANAGER_FEATURE_ID = 'UpdateManager';
export const UPDATE_MANAGER_DEFINITION = Object.freeze(['com.bosch.iot.suite.edge.update:UpdateManager:1.0.0']);

export const UpdateManagerMessages = Object.freeze({
  apply: 'apply',
  refresh: 'refresh',
  consent: 'consent',
  feedback: 'feedback',
} as const);
