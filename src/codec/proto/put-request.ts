/**
 * InternalRaftRequest{header, put}, the request most entries carry, read by
 * hand in one pass. The result is what decodeMessage (message.ts) builds, key
 * for key and in its order (defaults first, then fields as they come);
 * test/codec/put-request.test.ts holds them equal. Anything else (another
 * operation, a field this does not know, a wire type that does not fit,
 * bytes that do not parse) is undefined, for decodeMessage to read, or to
 * refuse with its own words.
 */
import { ProtoReader, WireType, delimitedAt, smallVarint, type Cursor } from './wire.js';
import { ProtoError } from '../errors.js';
import type { etcdserverpb } from './etcd.gen.js';

type Msg = etcdserverpb.InternalRaftRequest;

const HEADER = (100 << 3) | WireType.LEN;
const PUT = (4 << 3) | WireType.LEN;

export function decodePutRequest(b: Uint8Array): Msg | undefined {
  try {
    return readRequest(b);
  } catch (e) {
    if (e instanceof ProtoError) return undefined;
    throw e;
  }
}

function readRequest(b: Uint8Array): Msg | undefined {
  const r = new ProtoReader(b);
  // InternalRaftRequest's one default: ID (uint64).
  const out: Msg = { ID: 0n };
  let put = false;
  while (!r.done()) {
    const t = r.uint32();
    if (t === HEADER) {
      const from = r.delimited();
      const header = readHeader(b, from, r.pos);
      if (!header) return undefined;
      out.header = header;
    } else if (t === PUT) {
      const from = r.delimited();
      const p = readPut(b, from, r.pos);
      if (!p) return undefined;
      out.put = p;
      put = true;
    } else {
      return undefined;
    }
  }
  return put ? out : undefined;
}

/** etcdserverpb.RequestHeader: ID and auth_revision default to 0, username is set only when present. */
function readHeader(b: Uint8Array, start: number, end: number): etcdserverpb.RequestHeader | undefined {
  const r = new ProtoReader(b, start, end);
  const out: etcdserverpb.RequestHeader = { ID: 0n, auth_revision: 0n };
  while (!r.done()) {
    switch (r.uint32()) {
      case (1 << 3) | WireType.VARINT:
        out.ID = r.uint64();
        break;
      case (2 << 3) | WireType.LEN:
        out.username = r.string();
        break;
      case (3 << 3) | WireType.VARINT:
        out.auth_revision = r.uint64();
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** etcdserverpb.PutRequest: lease and the three flags default to zero, key and value are set only when present. */
function readPut(b: Uint8Array, start: number, end: number): etcdserverpb.PutRequest | undefined {
  const r = new ProtoReader(b, start, end);
  const out: etcdserverpb.PutRequest = { lease: 0n, prev_kv: false, ignore_value: false, ignore_lease: false };
  while (!r.done()) {
    switch (r.uint32()) {
      case (1 << 3) | WireType.LEN:
        out.key = r.bytes();
        break;
      case (2 << 3) | WireType.LEN:
        out.value = r.bytes();
        break;
      case (3 << 3) | WireType.VARINT:
        out.lease = r.int64();
        break;
      case (4 << 3) | WireType.VARINT:
        out.prev_kv = r.bool();
        break;
      case (5 << 3) | WireType.VARINT:
        out.ignore_value = r.bool();
        break;
      case (6 << 3) | WireType.VARINT:
        out.ignore_lease = r.bool();
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** Where the parts of a plain put lie in its entry's data (readPlainPut). */
export interface PlainPut extends Cursor {
  /** The put was written before the header (as etcd 3.4 does). */
  putFirst: boolean;
  /** The header's ID: a number below 2^53, else a bigint. */
  id: number | bigint;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

/**
 * A put as etcd's clients write it: InternalRaftRequest{put{key, value},
 * header{ID}}, the two in either order, key and value set and nothing else.
 * Read as offsets into `b`, without the objects and views decodePutRequest
 * makes (a dump writes such a put's line straight from its bytes); false for
 * any other request or layout, which the decoders read.
 */
export function readPlainPut(b: Uint8Array, end: number, out: PlainPut): boolean {
  let put = false;
  let header = false;
  out.pos = 0;
  while (out.pos < end) {
    if (b[out.pos] === PUT && !put) {
      const len = delimitedAt(b, out, end, PUT);
      if (len < 0 || !readKeyValue(b, out.pos + len, out)) return false;
      put = true;
      out.putFirst = !header;
    } else if (b[out.pos] === 0xa2 && out.pos + 1 < end && b[out.pos + 1] === 0x06 && !header) {
      out.pos += 2;
      const len = smallVarint(b, out, end);
      if (len < 0 || out.pos + len > end || !readHeaderID(b, out.pos + len, out)) return false;
      header = true;
    } else {
      return false;
    }
  }
  return put && header;
}

/** key then value, both set, to `end`. */
function readKeyValue(b: Uint8Array, end: number, out: PlainPut): boolean {
  const keyLen = delimitedAt(b, out, end, (1 << 3) | WireType.LEN);
  if (keyLen <= 0) return false;
  out.keyStart = out.pos;
  out.keyEnd = out.pos += keyLen;
  const valueLen = delimitedAt(b, out, end, (2 << 3) | WireType.LEN);
  if (valueLen <= 0 || out.pos + valueLen !== end) return false;
  out.valueStart = out.pos;
  out.valueEnd = out.pos = end;
  return true;
}

/** A header with an ID at most, to `end`. */
function readHeaderID(b: Uint8Array, end: number, out: PlainPut): boolean {
  out.id = 0;
  if (out.pos === end) return true;
  if (b[out.pos] !== ((1 << 3) | WireType.VARINT)) return false;
  out.pos++;
  const r = new ProtoReader(b, out.pos, end);
  try {
    const id = r.uint64();
    out.id = id <= MAX_SAFE ? Number(id) : id;
  } catch {
    return false;
  }
  out.pos = r.pos;
  return out.pos === end;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
