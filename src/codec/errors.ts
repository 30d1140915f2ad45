/**
 * One class per failure kind, each with a stable `code` and the file and byte
 * offset it concerns, so the CLI can map codes to exit codes and one-line
 * messages in one place (see src/cli/errors.ts).
 */
export type CodecErrorCode =
  | 'CRC_MISMATCH'
  | 'CORRUPT_RECORD'
  | 'TORN_TAIL'
  | 'RECORD_TOO_LARGE'
  | 'UNEXPECTED_RECORD_TYPE'
  | 'METADATA_CONFLICT'
  | 'SNAPSHOT_NOT_FOUND'
  | 'SNAPSHOT_MISMATCH'
  | 'SLICE_OUT_OF_RANGE'
  | 'SEGMENT_SEQUENCE'
  | 'NO_SEGMENTS'
  | 'BAD_PROTO'
  | 'SNAP_CRC_MISMATCH'
  | 'SNAP_EMPTY'
  | 'NOT_A_DATA_DIR'
  /** A bbolt file shorter than two meta pages, or a page lying past its end. */
  | 'BBOLT_TRUNCATED'
  /** Neither meta page has bbolt's magic, version 2 and a matching FNV-64a checksum. */
  | 'BBOLT_BAD_META'
  /** A page's header or elements contradict what its parent or the format says. */
  | 'BBOLT_BAD_PAGE'
  /** A B+tree walk went deeper than any file etcd writes (a cycle of page ids). */
  | 'BBOLT_TOO_DEEP'
  /** A key of a bucket was expected to hold a nested bucket, or the reverse. */
  | 'BBOLT_NOT_A_BUCKET'
  /** Not a bbolt file at all (no meta page with bbolt's magic): the message says what it looks like. */
  | 'BBOLT_NOT_BBOLT'
  /** bbolt's own check (Tx.Check: pages reached twice, unreachable, out of bounds) finds errors. */
  | 'BBOLT_CHECK'
  | 'REPLAY_RANGE';

export interface ErrorLocation {
  file?: string;
  offset?: number;
}

/** A failure in what walt read, with its stable code and where it was found; each layer narrows the codes. */
export class LocatedError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly file?: string;
  readonly offset?: number;
  readonly data: Record<string, unknown>;

  constructor(code: Code, message: string, where: ErrorLocation = {}, data: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.file = where.file;
    this.offset = where.offset;
    this.data = data;
  }

  /** "file at byte N: message", the one line the CLI prints. */
  describe(): string {
    const where = this.file === undefined ? '' : this.offset === undefined ? `${this.file}: ` : `${this.file} at byte ${this.offset}: `;
    return where + this.message;
  }
}

export class CodecError extends LocatedError<CodecErrorCode> {}

/** Thrown by the protobuf reader when bytes do not parse as the expected message. */
export class ProtoError extends CodecError {
  /**
   * The message ends inside a field (a varint, a fixed value, a length past
   * the end): gogo's generated Unmarshal returns io.ErrUnexpectedEOF for
   * these, which etcd's WAL decoder passes on as a torn write.
   */
  readonly truncated: boolean;

  constructor(message: string, offset?: number, truncated = false) {
    super('BAD_PROTO', message, { offset });
    this.truncated = truncated;
  }
}
