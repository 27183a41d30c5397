// The seam of the development cloud (issue 24) between its device side (a stand-in for Hono's MQTT adapter:
// data-access-device-mqtt) and its Ditto side (twin store, HTTP API, event stream: feature-dev-cloud).
// The device side authenticates devices as `<authId>@<tenant>`, hands every message they publish to the
// Ditto side, and delivers commands to a device, or through its gateway to a device behind it.

/** A device as the device side knows it: the one that authenticated, or one behind it (a gateway's). */
export interface DeviceAddress {
  readonly tenant: string;
  readonly deviceId: string;
}

/** What a device published: telemetry, an event, or the response to a command. */
export interface DeviceMessage {
  /** The device the message is about (the authenticated one, or a device behind it named in the topic). */
  readonly device: DeviceAddress;
  /** The authenticated device that published it (equal to `device` unless it is a gateway). */
  readonly via: DeviceAddress;
  readonly kind: 'telemetry' | 'event' | 'command-response';
  /** command-response: the request ID and the status from the topic. */
  readonly requestId?: string;
  readonly status?: number;
  readonly payload: Buffer;
}

/** A command for one device: `command///req/<requestId>/<subject>` to it, or `command//<deviceId>/req/…` to its gateway. */
export interface DeviceCommand {
  readonly device: DeviceAddress;
  readonly requestId: string;
  readonly subject: string;
  readonly payload: Buffer;
}

export interface DeviceConnection {
  readonly device: DeviceAddress;
  readonly connected: boolean;
}

export interface DeviceLink {
  /** Every message a device published, in order per device. Returns a remover. */
  onMessage(listener: (m: DeviceMessage) => void): () => void;
  /** A device connected or went (the connection's end or its will). Returns a remover. */
  onConnection(listener: (c: DeviceConnection) => void): () => void;
  /** The devices connected now. */
  connected(): readonly DeviceAddress[];
  /**
   * Delivers a command to the device, or to the connected gateway whose device ID the device's ID extends
   * (`demo:gw` for `demo:gw:edge:containers`), once it is subscribed for commands. Resolves false when no
   * connected device can take it (the Ditto side answers 404 or 408 then).
   */
  sendCommand(command: DeviceCommand): Promise<boolean>;
}
