export * as raw from './raw-packets';
export { startBrokerProcess, rawConnect, run, runInBackground } from './broker-process';
export type { BrokerProcess, RawConnection, CommandResult } from './broker-process';
