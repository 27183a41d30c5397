// The broker app is the feature library's entry; this file only names it for main.ts and the bundle.
export { brokerEntry } from '@ledge/broker/feature-broker';
