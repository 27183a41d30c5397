// Journal records of the aedes session store. Each record is an effect (not a call to replay), so
// replay is deterministic whatever the options of the next run: a dropped message is an explicit
// OutDelete, not the outcome of re-running the overflow rule.
//
//   payload := u8 type, fields...   strings are varint-length UTF-8, packets use the value codec
import { ByteReader, ByteWriter, readObject, readValue, writeValue } from './codec';
import { corruptError } from './errors';
import type { PersistedPacket, PersistenceSubscription } from './packet';

/** Record type bytes: part of the file format, never renumber. */
export const RecordType = Object.freeze({
  Meta: 1,
  RetainPut: 2,
  RetainDel: 3,
  SubAdd: 4,
  SubRemove: 5,
  SubClean: 6,
  OutEnqueue: 7,
  OutMessageId: 8,
  OutReplace: 9,
  OutDelete: 10,
  IncomingPut: 11,
  IncomingDel: 12,
  IncomingClean: 13,
  WillPut: 14,
  WillDel: 15,
} as const);

export type SessionRecord =
  | { type: typeof RecordType.Meta; nextSeq: number }
  | { type: typeof RecordType.RetainPut; packet: PersistedPacket }
  | { type: typeof RecordType.RetainDel; topic: string }
  | { type: typeof RecordType.SubAdd; clientId: string; subs: PersistenceSubscription[] }
  | { type: typeof RecordType.SubRemove; clientId: string; topics: string[] }
  | { type: typeof RecordType.SubClean; clientId: string }
  | { type: typeof RecordType.OutEnqueue; seq: number; clientIds: string[]; packet: PersistedPacket }
  | { type: typeof RecordType.OutMessageId; seq: number; messageId: unknown }
  | { type: typeof RecordType.OutReplace; seq: number; packet: PersistedPacket }
  | { type: typeof RecordType.OutDelete; seq: number }
  | { type: typeof RecordType.IncomingPut; clientId: string; packet: PersistedPacket }
  | { type: typeof RecordType.IncomingDel; clientId: string; messageId: unknown }
  | { type: typeof RecordType.IncomingClean; clientId: string }
  | { type: typeof RecordType.WillPut; clientId: string; packet: PersistedPacket }
  | { type: typeof RecordType.WillDel; clientId: string };

/**
 * Encodes records into one reused scratch buffer: the result is a view, valid until the next call
 * (the journal copies what it is given). One encoder per store.
 */
export function createRecordEncoder(): (r: SessionRecord) => Buffer {
  const w = new ByteWriter(4096);
  return (r) => {
    w.reset().u8(r.type);
    switch (r.type) {
      case RecordType.Meta:
        w.varUint(r.nextSeq);
        break;
      case RecordType.RetainPut:
        writeValue(w, r.packet);
        break;
      case RecordType.RetainDel:
        w.str(r.topic);
        break;
      case RecordType.SubAdd:
        w.str(r.clientId);
        writeValue(w, r.subs);
        break;
      case RecordType.SubRemove:
        w.str(r.clientId);
        writeValue(w, r.topics);
        break;
      case RecordType.SubClean:
      case RecordType.IncomingClean:
      case RecordType.WillDel:
        w.str(r.clientId);
        break;
      case RecordType.OutEnqueue:
        w.varUint(r.seq).varUint(r.clientIds.length);
        for (const id of r.clientIds) w.str(id);
        writeValue(w, r.packet);
        break;
      case RecordType.OutMessageId:
        w.varUint(r.seq);
        writeValue(w, r.messageId);
        break;
      case RecordType.OutReplace:
        w.varUint(r.seq);
        writeValue(w, r.packet);
        break;
      case RecordType.OutDelete:
        w.varUint(r.seq);
        break;
      case RecordType.IncomingPut:
      case RecordType.WillPut:
        w.str(r.clientId);
        writeValue(w, r.packet);
        break;
      case RecordType.IncomingDel:
        w.str(r.clientId);
        writeValue(w, r.messageId);
        break;
    }
    return w.view();
  };
}

function readStrings(r: ByteReader): string[] {
  const v = readValue(r);
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw corruptError('expected a list of strings');
  return v as string[];
}

function readSubs(r: ByteReader): PersistenceSubscription[] {
  const v = readValue(r);
  if (!Array.isArray(v) || !v.every((s) => s !== null && typeof s === 'object' && typeof (s as { topic?: unknown }).topic === 'string')) {
    throw corruptError('expected a list of subscriptions');
  }
  return v as PersistenceSubscription[];
}

export function decodeRecord(payload: Buffer): SessionRecord {
  const r = new ByteReader(payload);
  const type = r.u8();
  let rec: SessionRecord;
  switch (type) {
    case RecordType.Meta:
      rec = { type, nextSeq: r.varUint() };
      break;
    case RecordType.RetainPut:
      rec = { type, packet: readObject(r) };
      break;
    case RecordType.RetainDel:
      rec = { type, topic: r.str() };
      break;
    case RecordType.SubAdd:
      rec = { type, clientId: r.str(), subs: readSubs(r) };
      break;
    case RecordType.SubRemove:
      rec = { type, clientId: r.str(), topics: readStrings(r) };
      break;
    case RecordType.SubClean:
    case RecordType.IncomingClean:
    case RecordType.WillDel:
      rec = { type, clientId: r.str() };
      break;
    case RecordType.OutEnqueue: {
      const seq = r.varUint();
      const n = r.varUint();
      const clientIds: string[] = [];
      for (let i = 0; i < n; i++) clientIds.push(r.str());
      rec = { type, seq, clientIds, packet: readObject(r) };
      break;
    }
    case RecordType.OutMessageId:
      rec = { type, seq: r.varUint(), messageId: readValue(r) };
      break;
    case RecordType.OutReplace:
      rec = { type, seq: r.varUint(), packet: readObject(r) };
      break;
    case RecordType.OutDelete:
      rec = { type, seq: r.varUint() };
      break;
    case RecordType.IncomingPut:
    case RecordType.WillPut:
      rec = { type, clientId: r.str(), packet: readObject(r) };
      break;
    case RecordType.IncomingDel:
      rec = { type, clientId: r.str(), messageId: readValue(r) };
      break;
    default:
      throw corruptError(`unknown record type ${type}`);
  }
  if (!r.done) throw corruptError(`trailing bytes after record type ${type}`);
  return rec;
}
