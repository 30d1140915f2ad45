/**
 * Rewrites a WAL record by record into new segments, content unchanged: the
 * same entries, hard states and snapshot records in the same order, each
 * record's data as it was, the CRC chain rebuilt. Only where segments begin
 * changes, and with it the per-segment headers (crc, metadata and the last
 * hard state, which etcd's cut() repeats at the top of every segment after
 * the first): the source's are dropped and each new segment gets its own.
 */
import { RecordReader } from '../codec/record-reader.js';
import { CodecError } from '../codec/errors.js';
import { RecordType } from '../codec/proto/walpb.js';
import { encodeHardState, type HardState } from '../codec/proto/raftpb.js';
import type { Segment } from '../codec/segment-name.js';
import { SegmentBuilder, type OutputSegment } from './segment-builder.js';

/** A record by where it is: its segment file and the offset of its length field. */
export interface RecordRef {
  file: string;
  offset: number;
}

export interface RewritePolicy {
  /** Start a new segment where each source segment started (renumbered if needed). */
  keepBoundaries: boolean;
  /** Start a new segment after this entry's record, before the next entry or snapshot record (walt cut --at-index). */
  cutAfter?: RecordRef;
  /** Keep nothing after this record (walt cut --drop-after). */
  stopAfter?: RecordRef;
  /** Segments of at most this many bytes (walt cut --segment-bytes). */
  maxBytes?: number;
  /** A hard state to write last, unless it is the last one already. */
  appendState?: HardState;
}

export interface RewriteResult {
  segments: OutputSegment[];
  /** For cutAfter: whether a new boundary was made, or a source segment already began there. */
  cutAfter?: 'made' | 'existing';
  /** Whether appendState was written. */
  stateAppended: boolean;
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) => a !== undefined && b !== undefined && Buffer.from(a).equals(b);
const isRef = (ref: RecordRef | undefined, file: string, offset: number) => ref !== undefined && ref.file === file && ref.offset === offset;

/**
 * `source` must read cleanly (walt verify healthy); `outDir` undefined
 * measures the result without writing anything.
 */
export function rewriteWal(source: Segment[], metadata: Uint8Array, policy: RewritePolicy, outDir?: string): RewriteResult {
  const reader = new RecordReader(source);
  let out: SegmentBuilder | undefined;
  let ordinal = -1;
  let header = 0; // position within the source segment's header; -1 once past it
  let pendingCut = false;
  let cutAfter: RewriteResult['cutAfter'];
  let stopped = false;
  for (let rec = reader.next(); rec; rec = reader.next()) {
    const data = rec.data;
    if (!out) {
      // The first source segment's header is kept as it is: its crc record carries the value
      // the purged segments before it left, and what follows it are ordinary records.
      out = new SegmentBuilder(outDir, metadata, { seq: source[0].seq, index: source[0].index, crc: rec.type === RecordType.crc ? rec.crc : 0 }, policy.maxBytes);
      ordinal = rec.segmentOrdinal;
      header = -1;
      if (rec.type === RecordType.crc) continue;
    }
    if (rec.segmentOrdinal !== ordinal) {
      ordinal = rec.segmentOrdinal;
      header = 0;
      if (policy.keepBoundaries) {
        if (pendingCut) cutAfter = 'existing';
        pendingCut = false;
        out.cut(rec.segment.index);
      }
    }
    if (header >= 0 && isSourceHeader(rec.type, data, header, out.lastState)) {
      header++;
      continue;
    }
    header = -1;
    if (pendingCut && (rec.type === RecordType.entry || rec.type === RecordType.snapshot)) {
      out.cut();
      pendingCut = false;
      cutAfter = 'made';
    }
    out.append(rec.type, data);
    if (isRef(policy.cutAfter, rec.segment.path, rec.offset)) pendingCut = true;
    if (isRef(policy.stopAfter, rec.segment.path, rec.offset)) {
      stopped = true;
      break;
    }
  }
  reader.close();
  const end = stopped ? undefined : reader.end;
  if (end?.kind === 'error') throw end.error;
  if (end?.kind === 'torn') throw new CodecError('TORN_TAIL', `torn write: ${end.reason}`, { file: end.segment.path, offset: end.offset });
  if (!out) throw new CodecError('NO_SEGMENTS', 'the WAL holds no records', { file: source[0]?.path });
  if (pendingCut) {
    // Entry N is the last: a new, empty segment follows it, as after etcd's cut.
    out.cut();
    cutAfter = 'made';
  }
  let stateAppended = false;
  if (policy.appendState) {
    const st = encodeHardState(policy.appendState);
    if (!sameBytes(st, out.lastState)) {
      out.append(RecordType.state, st);
      stateAppended = true;
    }
  }
  return { segments: out.finish(), cutAfter, stateAppended };
}

/**
 * etcd's cut() starts every segment after the first with a crc record, the
 * metadata, and the last hard state when there is one. The hard state is
 * dropped only when it repeats the last one written, so that no state is lost.
 */
function isSourceHeader(type: number, data: Uint8Array | undefined, at: number, lastState: Uint8Array | undefined): boolean {
  if (at === 0) return type === RecordType.crc;
  if (at === 1) return type === RecordType.metadata;
  if (at === 2) return type === RecordType.state && sameBytes(data, lastState);
  return false;
}
