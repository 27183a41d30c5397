// [MQTT-2.3.1-2] A packet identifier stays in use until its acknowledgement arrives. aedes 1.2 numbers a
// connection's QoS 1/2 deliveries from a counter that starts at a random value on every CONNECT and knows
// nothing of the identifiers a resumed session still has in flight: messages delivered before a
// disconnect, a restart or a power cut that were never acknowledged, which go out again with their original
// identifiers ([MQTT-4.4.0-1]). A new delivery could therefore get the identifier of such a message; the
// client then holds two messages under one identifier, its first PUBACK clears whichever entry the store
// finds first, and the other message stays queued, unsent, until the session reconnects. Worse, when the
// two were queued by different broker instances (a restart in between), aedes' persistence rule for a
// PUBREL (same identifier, other broker id: replace) overwrote the older queued message with the newer
// one, so a message not yet re-sent was lost. Before a PUBLISH is numbered into the store, an identifier
// held by another queued message of the client is swapped for a free one from the client's counter.

import type { ClientInternals } from './aedes-internals';

export interface NumberedPacket {
  cmd?: string;
  messageId?: number;
}

const MAX_PACKET_ID = 65_535;

/**
 * Gives `packet` a packet identifier that no other queued message of `client` holds, taking the next
 * free one from the client's counter (the identifier aedes then writes). A packet that already holds its
 * own identifier (a re-send) keeps it. With all 65,535 identifiers taken it changes nothing.
 */
export function ensureFreePacketId(client: Pick<ClientInternals, '_nextId'>, packet: NumberedPacket, taken: (messageId: number) => boolean): void {
  if (packet.cmd !== undefined && packet.cmd !== 'publish') return;
  if (typeof packet.messageId !== 'number' || !taken(packet.messageId)) return;
  for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
    const id = client._nextId;
    client._nextId = id >= MAX_PACKET_ID ? 1 : id + 1;
    if (id !== packet.messageId && !taken(id)) {
      packet.messageId = id;
      return;
    }
  }
}
