/**
 * `dump --raw`: every record of every segment in file order (crc, metadata,
 * state, snapshot and entry records alike) with where it lies, its framing and
 * both CRCs. It keeps going past a CRC mismatch, carrying the chain on from
 * the stored value, so the records after the damage can be seen too.
 */
import { listSegments } from '../codec/segment-name.js';
import { RecordReader, type RawRecord, type ReadEnd } from '../codec/record-reader.js';
import { RecordType, decodeWalSnapshot, recordTypeName } from '../codec/proto/walpb.js';
import { decodeEntry, decodeHardState, entryTypeName } from '../codec/proto/raftpb.js';
import { decodeMetadata, idHex } from '../codec/proto/metadata.js';

export interface RawRow {
  segment: string;
  offset: number;
  length: number;
  pad: number;
  type: string;
  expectedCrc: number;
  computedCrc: number;
  crcOk: boolean;
  /** What the record holds, decoded where it decodes. */
  detail: Record<string, unknown>;
}

function detailOf(rec: RawRecord): Record<string, unknown> {
  const data = rec.data ?? new Uint8Array(0);
  try {
    switch (rec.type) {
      case RecordType.entry: {
        const e = decodeEntry(data);
        return { index: e.index, term: e.term, entryType: entryTypeName(e.type), dataBytes: e.data?.length ?? 0 };
      }
      case RecordType.state: {
        const h = decodeHardState(data);
        return { term: h.term, vote: idHex(h.vote), commit: h.commit };
      }
      case RecordType.metadata: {
        const m = decodeMetadata(data);
        return { nodeID: idHex(m.nodeId), clusterID: idHex(m.clusterId) };
      }
      case RecordType.snapshot: {
        const s = decodeWalSnapshot(data);
        return { index: s.index, term: s.term, ...(s.confState ? { voters: s.confState.voters.map(idHex) } : {}) };
      }
      default:
        return {};
    }
  } catch (e) {
    return { error: `does not decode: ${(e as Error).message}` };
  }
}

/** Rows for every record of every segment in `walDir`; `end` says how reading stopped. */
export function* rawRecords(walDir: string): Generator<RawRow, ReadEnd> {
  const reader = new RecordReader(listSegments(walDir), { continueOnCrcError: true });
  for (let rec = reader.next(); rec; rec = reader.next()) {
    yield {
      segment: rec.segment.name,
      offset: rec.offset,
      length: rec.recordBytes,
      pad: rec.padBytes,
      type: recordTypeName(rec.type),
      expectedCrc: rec.crc,
      computedCrc: rec.computedCrc,
      crcOk: rec.crcOk,
      detail: detailOf(rec),
    };
  }
  return reader.end ?? { kind: 'eof' };
}
