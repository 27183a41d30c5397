export { createFakeLocalBus } from './fake-local-bus';
export type { FakeLocalBus, FakeLocalBusClient, FakeBusPublish } from './fake-local-bus';
export { localBusClientContract } from './contract';
export type { MakeLocalBusClient, LocalBusContractOptions } from './contract';
export { startMosquitto, findMosquitto, freePort, canConnect } from './mosquitto';
export type { Mosquitto } from './mosquitto';
export { connectorCloudEnv, makePki, startCloudBroker, startCloudDownWithObserver, startEndpointBroker, zeroLossEvent } from './cloud-mosquitto';
export type { CloudBroker, EndpointBroker, Pki } from './cloud-mosquitto';
