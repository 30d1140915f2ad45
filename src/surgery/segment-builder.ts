/**
 * Writes records into new segments the way etcd's WAL writes them (wal/wal.go
 * Create, cut, SaveSnapshot), keeping the data of each record as it is and
 * rebuilding the CRC chain. Unlike the codec's WalWriter, which saves raft
 * entries and hard states, it takes records verbatim, can reproduce a first
 * segment that is not the first ever written (crc record with the value the
 * purged segments left), and can measure without writing, for dry runs.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RecordEncoder } from '../codec/encoder.js';
import { fsyncDir } from '../codec/atomic-file.js';
import { walName } from '../codec/segment-name.js';
import { RecordType, decodeWalSnapshot } from '../codec/proto/walpb.js';
import { decodeEntry } from '../codec/proto/raftpb.js';

export interface OutputSegment {
  name: string;
  seq: bigint;
  /** The index in its name: the first entry expected in it. */
  index: bigint;
  bytes: number;
  records: number;
  entries: number;
  firstEntry?: bigint;
  lastEntry?: bigint;
  /** Holds a record larger than the size limit (alone, after the header). */
  oversize?: boolean;
}

export interface FirstSegment {
  seq: bigint;
  index: bigint;
  /** The value the source's first crc record stores (0 for the first segment ever written). */
  crc: number;
}

const FLUSH_BYTES = 1 << 20;

export class SegmentBuilder {
  readonly segments: OutputSegment[] = [];
  private readonly encoder: RecordEncoder;
  private seq: bigint;
  /** etcd's enti: the last entry index written, or a snapshot's index if higher; names the next segment. */
  private lastIndex: bigint;
  private state?: Uint8Array;
  private cur!: OutputSegment;
  private headerRecords = 0;
  private fd = -1;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  /**
   * `dir` undefined measures without writing. The first segment gets the
   * source's first name and crc record; the records after that come through
   * `append`, the source's own header records included.
   */
  constructor(
    private readonly dir: string | undefined,
    private readonly metadata: Uint8Array,
    first: FirstSegment,
    private readonly maxBytes?: number,
  ) {
    this.encoder = new RecordEncoder(first.crc);
    this.seq = first.seq;
    this.lastIndex = first.index > 0n ? first.index - 1n : 0n;
    this.open(first.index);
    this.write(this.encoder.encode(RecordType.crc));
    this.headerRecords = 1;
  }

  /** The last hard state record written, as it was encoded. */
  get lastState(): Uint8Array | undefined {
    return this.state;
  }

  /** Records written in this segment after its header. */
  get bodyRecords(): number {
    return this.cur.records - this.headerRecords;
  }

  /**
   * Appends a record. With a size limit, a record that would push a segment
   * holding more than its header past the limit starts a new one; a record
   * too big for any segment then gets one to itself.
   */
  append(type: RecordType | number, data?: Uint8Array): void {
    const before = this.encoder.crc;
    let frame = this.encoder.encode(type, data);
    if (this.maxBytes !== undefined && this.bodyRecords > 0 && this.cur.bytes + frame.length > this.maxBytes) {
      this.encoder.crc = before;
      this.cut();
      frame = this.encoder.encode(type, data);
    }
    this.write(frame);
    if (this.maxBytes !== undefined && this.cur.bytes > this.maxBytes) this.cur.oversize = true;
    this.track(type, data);
  }

  private track(type: number, data = new Uint8Array(0)): void {
    if (type === RecordType.entry) {
      const index = decodeEntry(data).index;
      this.lastIndex = index; // etcd's saveEntry sets enti even when an entry overwrites a higher one
      this.cur.entries++;
      this.cur.firstEntry ??= index;
      this.cur.lastEntry = index;
    } else if (type === RecordType.state) {
      this.state = data.slice();
    } else if (type === RecordType.snapshot) {
      const s = decodeWalSnapshot(data);
      if (s.index > this.lastIndex) this.lastIndex = s.index; // as wal.SaveSnapshot does
    }
  }

  /**
   * etcd's cut(): a new segment named by the next sequence number and the
   * next index expected (or `index`, to keep a source segment's name), opening
   * with the running CRC, the metadata and the last hard state.
   */
  cut(index = this.lastIndex + 1n): void {
    this.close();
    this.seq++;
    this.open(index);
    this.write(this.encoder.encode(RecordType.crc));
    this.write(this.encoder.encode(RecordType.metadata, this.metadata));
    this.headerRecords = 2;
    if (this.state) {
      this.write(this.encoder.encode(RecordType.state, this.state));
      this.headerRecords++;
    }
  }

  /** Closes the last segment and makes the directory entries durable. */
  finish(): OutputSegment[] {
    this.close();
    if (this.dir !== undefined) fsyncDir(this.dir);
    return this.segments;
  }

  private open(index: bigint): void {
    const name = walName(this.seq, index);
    this.cur = { name, seq: this.seq, index, bytes: 0, records: 0, entries: 0 };
    this.segments.push(this.cur);
    // 0600 as etcd's fileutil.PrivateFileMode; 'wx' never overwrites.
    if (this.dir !== undefined) this.fd = openSync(join(this.dir, name), 'wx', 0o600);
  }

  private write(frame: Uint8Array): void {
    this.cur.bytes += frame.length;
    this.cur.records++;
    if (this.fd < 0) return;
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private close(): void {
    if (this.fd < 0) return;
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}
