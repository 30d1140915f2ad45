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
import { findHiddenTail, type HiddenTail } from '../codec/hidden-tail.js';

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
  /** Behind etcd's end of the log (a zero length field before it in the last segment): etcd never reads it. */
  hidden?: boolean;
}

/** How reading stopped, and what hides behind the end of the log in the last segment. */
export type RawEnd = ReadEnd & { hidden?: HiddenTail };

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
export function* rawRecords(walDir: string): Generator<RawRow, RawEnd> {
  const segments = listSegments(walDir);
  const reader = new RecordReader(segments, { continueOnCrcError: true });
  const at = { ordinal: 0, offset: 0, crc: 0 };
  yield* rows(reader, false, at);
  const end: RawEnd = reader.end ?? { kind: 'eof' };
  const last = segments[segments.length - 1];
  if (end.kind !== 'eof' || !last) return end;
  // Past a zero length field etcd reads nothing more; records there are shown, marked hidden.
  const lastOrdinal = segments.length - 1;
  end.hidden = findHiddenTail(last.path, at.ordinal === lastOrdinal ? at.offset : 0, at.ordinal === lastOrdinal ? at.crc : 0);
  const run = end.hidden?.records;
  if (!run) return end;
  let first = true;
  for (const row of rows(new RecordReader([last], { continueOnCrcError: true, resume: { offset: run.framedFrom, crc: run.crcBefore ?? 0 } }), true)) {
    // Past a gap the running CRC before the first record is lost; the next record's CRC, computed from this one's, vouches for it.
    if (first && run.crcBefore === undefined) Object.assign(row, { crcOk: true, computedCrc: row.expectedCrc, detail: { ...row.detail, crc: 'vouched for by the next record' } });
    first = false;
    yield row;
  }
  return end;
}

/** The records of `reader` as rows; `at` follows where the last one ends and the running CRC there. */
function* rows(reader: RecordReader, hidden: boolean, at?: { ordinal: number; offset: number; crc: number }): Generator<RawRow> {
  for (let rec = reader.next(); rec; rec = reader.next()) {
    if (at) {
      at.ordinal = rec.segmentOrdinal;
      at.offset = rec.offset + 8 + rec.recordBytes + rec.padBytes;
      at.crc = rec.type === RecordType.crc ? rec.crc : rec.computedCrc;
    }
    yield {
      ...(hidden ? { hidden } : {}),
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
}
