/**
 * Following a WAL that a running etcd appends to, read-only and without its
 * lock: each poll reads the records completed since the last one, from the
 * last segment on, moving to new segments as etcd cuts them. A record still
 * being written (cut short, or with zeroed sectors) is waited for, not
 * reported; anything else that fails is.
 */
import { RecordReader, type RawRecord } from './record-reader.js';
import { listSegments } from './segment-name.js';
import type { CodecError } from './errors.js';

export interface FollowPosition {
  segment: string;
  offset: number;
  crc: number;
}

export class WalFollower {
  private readonly walDir: string;
  position: FollowPosition;

  constructor(walDir: string, position: FollowPosition) {
    this.walDir = walDir;
    this.position = position;
  }

  /** New complete records since the last poll; throws the CodecError of a record that is corrupt rather than in progress. */
  poll(onRecord: (rec: RawRecord) => void): void {
    const segments = listSegments(this.walDir).filter((s) => s.name >= this.position.segment);
    if (segments.length === 0 || segments[0].name !== this.position.segment) return;
    const reader = new RecordReader(segments, { resume: { offset: this.position.offset, crc: this.position.crc } });
    for (let rec = reader.next(); rec; rec = reader.next()) {
      onRecord(rec);
      this.position = { segment: rec.segment.name, offset: reader.lastValidOffset, crc: reader.crc };
    }
    const end = reader.end;
    if (end?.kind === 'error') throw end.error as CodecError;
  }
}
