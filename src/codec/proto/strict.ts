/**
 * gogo's strictness, which protobufjs's decoders lack, checked before they
 * read: field number 0, a stray end-group tag, a length or varint past the
 * end and a known field with the wrong wire type are errors, as in gogo's
 * generated Unmarshal (e.g. etcdserver/etcdserverpb/rpc.pb.go); etcd relies
 * on it to tell a bare v2 Request from an InternalRaftRequest (etcdserver/
 * server.go applyEntryNormal). And a oneof with several members on the wire
 * keeps the last, as gogo does.
 */
import { ProtoReader, WireType } from './wire.js';
import { ProtoError } from '../errors.js';
import type { FieldSpec, MessageSpec, Msg } from './descriptor.js';

/** Per message, by field number: the wire type a field must have (-1: unknown field), and its message, if any. */
interface CheckInfo {
  wire: Int8Array;
  packable: Uint8Array;
  msgs: Array<MessageSpec | undefined>;
  oneof: Array<string | undefined>;
  names: string[];
}
const checkInfo = new WeakMap<MessageSpec, CheckInfo>();

function infoOf(s: MessageSpec): CheckInfo {
  let info = checkInfo.get(s);
  if (info) return info;
  const max = Math.max(0, ...s.fields.map((f) => f.no));
  info = { wire: new Int8Array(max + 1).fill(-1), packable: new Uint8Array(max + 1), msgs: [], oneof: [], names: [] };
  for (const f of s.fields) {
    info.wire[f.no] = wireTypeOf(f.kind);
    info.packable[f.no] = f.repeated && f.kind !== 'bytes' && f.kind !== 'string' && f.kind !== 'message' ? 1 : 0;
    info.msgs[f.no] = f.kind === 'message' ? f.msg!() : undefined;
    info.oneof[f.no] = f.oneof;
    info.names[f.no] = f.name;
  }
  checkInfo.set(s, info);
  return info;
}

function wireTypeOf(kind: FieldSpec['kind']): number {
  switch (kind) {
    case 'fixed64':
      return WireType.FIXED64;
    case 'fixed32':
      return WireType.FIXED32;
    case 'bytes':
    case 'string':
    case 'message':
      return WireType.LEN;
    default:
      return WireType.VARINT;
  }
}

/** A oneof's members that a later member overrode, by the offset of the message they are in. */
export type Overridden = Map<number, string[]>;

/**
 * Walks the message as gogo's Unmarshal would and throws where it fails. A
 * oneof with more than one member on the wire keeps the last, as gogo does;
 * the others are returned by the offset of their message (rare: etcd writes one).
 */
export function check(s: MessageSpec, buf: Uint8Array, start: number, end: number, overridden: Overridden | undefined): Overridden | undefined {
  const { wire, packable, msgs, oneof, names } = infoOf(s);
  const r = new ProtoReader(buf, start, end);
  // The first oneof member seen; the members of each oneof in wire order once a second one comes.
  let firstGroup: string | undefined;
  let firstName: string | undefined;
  let members: Map<string, string[]> | undefined;
  while (r.pos < end) {
    const at = r.pos;
    const t = r.tag();
    const wt = t & 7;
    const no = t >>> 3;
    if (no === 0) throw new ProtoError(`${s.name}: illegal field number 0`, at);
    if (wt === WireType.END_GROUP) throw new ProtoError(`${s.name}: end-group tag outside a group`, at);
    const want = no < wire.length ? wire[no] : -1;
    if (want < 0) {
      r.skip(wt);
      continue;
    }
    const packed = wt === WireType.LEN && packable[no] === 1;
    if (wt !== want && !packed) throw new ProtoError(`${s.name}: wrong wire type ${wt} for field ${names[no]}`, at);
    const group = oneof[no];
    if (group !== undefined) {
      const name = names[no];
      if (members === undefined && firstGroup === undefined) {
        firstGroup = group;
        firstName = name;
      } else if (members !== undefined || firstGroup !== group || firstName !== name) {
        members ??= new Map([[firstGroup!, [firstName!]]]);
        members.set(group, [...(members.get(group) ?? []).filter((n) => n !== name), name]);
      }
    }
    const sub = msgs[no];
    if (sub !== undefined) {
      const from = r.delimited();
      overridden = check(sub, buf, from, r.pos, overridden);
    } else if (packed) {
      const inner = new ProtoReader(buf, r.delimited(), r.pos);
      while (!inner.done()) inner.skip(want);
    } else {
      r.skip(wt);
    }
  }
  if (members) {
    for (const list of members.values()) {
      if (list.length < 2) continue;
      overridden ??= new Map();
      overridden.set(start, [...(overridden.get(start) ?? []), ...list.slice(0, -1)]);
    }
  }
  return overridden;
}

export function dropOverridden(s: MessageSpec, m: Msg, buf: Uint8Array, start: number, end: number, overridden: Overridden): void {
  for (const name of overridden.get(start) ?? []) m[name] = undefined;
  const { msgs, names } = infoOf(s);
  const r = new ProtoReader(buf, start, end);
  const seen = new Map<string, number>();
  // A repeated field's elements come in wire order; a singular field holds its last occurrence.
  const last = new Map<string, [number, number]>();
  while (!r.done()) {
    const t = r.tag();
    const sub = msgs[t >>> 3];
    if (sub === undefined) {
      r.skip(t & 7);
      continue;
    }
    const name = names[t >>> 3];
    const from = r.delimited();
    const v = m[name];
    if (Array.isArray(v)) {
      const i = seen.get(name) ?? 0;
      seen.set(name, i + 1);
      dropOverridden(sub, v[i], buf, from, r.pos, overridden);
    } else last.set(name, [from, r.pos]);
  }
  for (const [name, [from, to]] of last) dropOverridden(msgs[infoOf(s).names.indexOf(name)]!, m[name], buf, from, to, overridden);
}
