export { createLocalBusClient } from './local-bus-client';
export { defaultLocalBusOptions, resolveLocalBusOptions } from './options';
export { localBusClientOptions, toClientUrl } from './local-bus-settings';
export type { LocalBusSettingsIo } from './local-bus-settings';
export type { LocalBusOptions, LocalBusClientOptions, LocalBusWill } from './options';
export type {
  LocalBusClient,
  LocalBusEvents,
  LocalBusStats,
  BusPacket,
  MessageHandler,
  Payload,
  PublishOptions,
  SubscribeOptions,
  QoS,
  ConnectedInfo,
  DisconnectedInfo,
  ReconnectingInfo,
} from './types';
export { defaultMqttConnect, adaptMqttClient } from './mqtt-adapter';
export type { MqttConnect, MqttClientLike, MqttClientEvents, MqttGrant } from './mqtt-adapter';
export { MqttErrorCodes } from './errors';
export type { MqttErrorCode } from './errors';
export { createIdentityWatcher, defaultIdentityWatcherOptions } from './identity-watcher';
export type { IdentityWatcher, IdentityWatcherOptions, IdentityWatcherEvents, IdentityChange } from './identity-watcher';
export { createConnectionStatusWatcher } from './connection-status-watcher';
export type { ConnectionStatusWatcher, ConnectionStatusWatcherOptions, ConnectionStatusWatcherEvents } from './connection-status-watcher';
// The watchers' value types, from @ledge/shared/model-edge (topics and parsers live there too); the old names stay.
export type { ThingIdentity as EdgeIdentity, ConnectionStatus as RemoteConnectionStatus } from '@ledge/shared/model-edge';
export { createDittoAgent } from './ditto-agent';
export type { DittoAgent, DittoAgentOptions, DittoCommand, DittoCommandHandler } from './ditto-agent';
export { agentAddress, commandFilters, responseTopic, eventTopic, routeInbound, dittoErrorCodeOf } from './ditto-routing';
export type { AgentAddress, InboundCommand } from './ditto-routing';
export { createHealthReporter, createHealthFeature, withHealth, restartsFromEnv, HEALTH_KEEPALIVE_SECONDS, HEALTH_FEATURE_ID, HEALTH_FEATURE_DEFINITION } from './health';
export type { HealthReporter, HealthReporterOptions, HealthFeature, WithHealthOptions } from './health';
