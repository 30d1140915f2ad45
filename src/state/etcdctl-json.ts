/**
 * What `etcdctl get ... -w json` prints (etcdctl/ctlv3/command/printer_json.go):
 * Go's encoding/json of the RangeResponse, whose generated fields all carry
 * omitempty, so zeros, empty values, `more: false` and an empty `kvs` are left
 * out; bytes are standard base64; int64 and uint64 are plain numbers (above
 * 2^53 too, which is why this is written by hand); a newline ends it.
 */
import type { KeyValue } from './kv.js';

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

type Field = [name: string, json: string | undefined];

const num = (v: bigint): string | undefined => (v === 0n ? undefined : v.toString());
const b64 = (b: Uint8Array): string | undefined => (b.length === 0 ? undefined : `"${Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')}"`);

function object(fields: Field[]): string {
  return '{' + fields.filter((f): f is [string, string] => f[1] !== undefined).map(([k, v]) => `"${k}":${v}`).join(',') + '}';
}

export function headerJson(h: ResponseHeader): string {
  return object([
    ['cluster_id', num(h.clusterId)],
    ['member_id', num(h.memberId)],
    ['revision', num(h.revision)],
    ['raft_term', num(h.raftTerm)],
  ]);
}

/**
 * `withheld`: the value is a secret, printed as null beside `"redacted":true`
 * (etcdctl has no such field). Concatenated member by member rather than
 * through object(): a key space prints one of these per key.
 */
export function keyValueJson(kv: KeyValue, withheld = false): string {
  let s = '{';
  if (kv.key.length !== 0) s += `"key":${b64(kv.key)},`;
  if (kv.createRevision !== 0n) s += `"create_revision":${kv.createRevision},`;
  if (kv.modRevision !== 0n) s += `"mod_revision":${kv.modRevision},`;
  if (kv.version !== 0n) s += `"version":${kv.version},`;
  if (withheld) s += '"value":null,';
  else if (kv.value.length !== 0) s += `"value":${b64(kv.value)},`;
  if (kv.lease !== 0n) s += `"lease":${kv.lease},`;
  if (withheld) s += '"redacted":true,';
  return s.length === 1 ? '{}' : s.slice(0, -1) + '}';
}

/** `withheld` says which values are secrets (keyValueJson). */
export function rangeResponseJson(header: ResponseHeader, kvs: KeyValue[], count: number, withheld: (kv: KeyValue) => boolean = () => false, more = false): string {
  const parts: string[] = [];
  writeRangeResponse((s) => parts.push(s), header, kvs, count, withheld, more);
  return parts.join('');
}

/**
 * rangeResponseJson in pieces, each key-value written as `kvs` yields it, so
 * a key space is never held whole as text. `extra`: more members
 * (`"name":json,…`, walt's own) before the closing brace.
 */
export function writeRangeResponse(out: (s: string) => void, header: ResponseHeader, kvs: Iterable<KeyValue>, count: number, withheld: (kv: KeyValue) => boolean = () => false, more = false, extra?: string): void {
  out(`{"header":${headerJson(header)}`);
  let first = true;
  for (const kv of kvs) {
    out((first ? ',"kvs":[' : ',') + keyValueJson(kv, withheld(kv)));
    first = false;
  }
  if (!first) out(']');
  if (more) out(',"more":true');
  if (count !== 0) out(`,"count":${count}`);
  if (extra) out(`,${extra}`);
  out('}\n');
}
