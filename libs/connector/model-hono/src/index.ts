export { createHonoProtocol, defaultHonoProtocolOptions, HONO_LOCAL_SUBSCRIPTIONS, HONO_CLOUD_COMMAND_SUBSCRIPTION } from './hono-protocol';
export type { HonoProtocolOptions } from './hono-protocol';
