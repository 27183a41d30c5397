// `mode` → cloud protocol. AWS IoT Core and Azure IoT Hub add their factories here.
import type { ProtocolRegistry } from '@ledge/connector-bridge';
import { createHonoProtocol } from '@ledge/connector-hono';

export const connectorProtocols: ProtocolRegistry = {
  hono: () => createHonoProtocol(),
};
