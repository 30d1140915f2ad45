/**
 * InternalRaftRequest{header, put}, the request most entries carry, read by
 * hand: the general decoder (schema.ts) builds each object key by key, which
 * cost as much as the rest of applying a put. The result is what
 * decodeMessage builds, key for key and in its order (defaults first, then
 * fields as they come). Anything else (another operation, a field this does
 * not know, a wire type that does not fit, bytes that do not parse) is
 * undefined, for decodeMessage to read, or to refuse with its own words.
 */
import { ProtoReader, WireType } from './wire.js';
import { ProtoError } from '../errors.js';
import type { Msg } from './schema.js';

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
function readHeader(b: Uint8Array, start: number, end: number): Msg | undefined {
  const r = new ProtoReader(b, start, end);
  const out: Msg = { ID: 0n, auth_revision: 0n };
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
function readPut(b: Uint8Array, start: number, end: number): Msg | undefined {
  const r = new ProtoReader(b, start, end);
  const out: Msg = { lease: 0n, prev_kv: false, ignore_value: false, ignore_lease: false };
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
