/**
 * Decoded requests for people: a JSON-safe object per entry for
 * `--format ndjson`, and one line per entry for the table.
 *
 * JSON follows the protobuf JSON mapping where it can (proto field names, bytes
 * as base64, enums by name, unset fields left out) except that 64-bit integers
 * stay bigint, which the CLI's writer prints as exact JSON integers.
 */
import { isUtf8 } from 'node:buffer';
import { enumNames, type FieldSpec, type MessageSpec, type Msg } from '../codec/proto/message.js';
import { InternalRaftRequestSpec, RequestSpec } from '../codec/proto/etcdserverpb.js';
import * as pb from '../codec/proto/etcdserverpb.js';
import { PermissionSpec } from '../codec/proto/bucket-values.js';
import { ClusterMemberAttrSetRequestSpec } from '../codec/proto/etcdserverpb.js';
import { idHex } from '../codec/proto/metadata.js';
import { decodeK8sEncryption, decodeK8sValue } from '../codec/k8s.js';
import { base64, type JsonOut } from '../util/json.js';
import { ConfChangeTransition, ConfChangeType, type ConfChange, type ConfChangeV2 } from '../codec/proto/raftpb.js';
import type { DecodedConfChange, DecodedRequest, MemberContext } from '../codec/request.js';
import type { PlainPut } from '../codec/proto/put-request.js';
import type { K8sObjectDecoder } from './k8s-object-view.js';
import { credentialFields, hidesValue, HIDE_SECRETS, isV2UserPath, REDACTED, SHOW_SECRETS, withoutV2Password, type SecretPolicy } from './secrets.js';

export interface RenderOptions {
  /** What is withheld (secrets.ts); HIDE_SECRETS when not given. */
  secrets?: SecretPolicy;
  /**
   * How one-line descriptions show put values: Kubernetes objects by
   * identity (default; k8s-full too, which also decodes them whole), text,
   * hex, or not at all.
   */
  values?: ValueMode;
  /** With values 'k8s-full': the decoder of whole objects (k8s-object-view.ts loads it). */
  k8sObjects?: K8sObjectDecoder;
}

export type ValueMode = 'k8s' | 'k8s-full' | 'utf8' | 'hex' | 'none';

/** Whether Kubernetes objects are shown by identity (they are in both k8s modes). */
export const showsK8s = (opts: RenderOptions): boolean => (opts.values ?? 'k8s') === 'k8s' || opts.values === 'k8s-full';

/** The options' policy; withholding is the default. */
export const policyOf = (opts: RenderOptions): SecretPolicy => opts.secrets ?? HIDE_SECRETS;

const utf8 = (v: string | Uint8Array): string => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));

/**
 * For text output: `msg` with each withheld field replaced by REDACTED, and
 * a v2 user's password inside its Val; a shallow copy when anything changes.
 * String fields may hold raw bytes (text-format.ts reads them so, as Go does).
 */
export function redactSecrets(p: SecretPolicy): (spec: MessageSpec, msg: Msg) => Msg {
  return (spec, msg) => {
    if (p.show) return msg;
    let out = msg;
    const set = (name: string, v: unknown) => {
      if (out === msg) out = { ...msg };
      out[name] = v;
    };
    for (const name of credentialFields(spec) ?? []) if (msg[name]?.length > 0) set(name, REDACTED);
    if (hidesValueOf(spec, msg, p)) set('value', REDACTED);
    if (spec === RequestSpec && msg.Val !== undefined && isV2UserPath(msg.Path === undefined ? undefined : utf8(msg.Path))) {
      const val = utf8(msg.Val);
      const redacted = withoutV2Password(val);
      if (redacted !== val) set('Val', redacted);
    }
    return out;
  };
}

/** A put's or a compare's value that the policy withholds. */
const hidesValueOf = (spec: MessageSpec, msg: Msg, p: SecretPolicy): boolean => (spec === pb.PutRequestSpec || spec === pb.CompareSpec) && hidesValue(p, msg.key, msg.value);

/** proto3 leaves zero scalars and empty bytes off the wire; only presence fields keep them. */
function isSet(f: FieldSpec, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (f.repeated) return (v as unknown[]).length > 0;
  if (f.presence || f.kind === 'message') return true;
  if (v instanceof Uint8Array) return v.length > 0;
  return v !== 0 && v !== 0n && v !== false && v !== '';
}

/** `listed`: whether the field is a credential (renderMessage has looked it up already). */
const isSecret = (spec: MessageSpec, f: FieldSpec, msg: Msg, opts: RenderOptions, listed = fieldNamed(spec, f.name)?.secret ?? false): boolean => {
  const p = policyOf(opts);
  return !p.show && (listed || (f.name === 'value' && hidesValueOf(spec, msg, p)));
};

function jsonValue(f: FieldSpec, v: any, opts: RenderOptions): unknown {
  if (f.kind === 'message') return renderMessage(f.msg!(), v, opts);
  if (f.kind === 'bytes') return base64(v);
  if (f.kind === 'enum') return f.enumNames?.[v] ?? v;
  return v;
}

/**
 * 64-bit IDs (requests, leases, members) print as lowercase hex, as etcd's
 * types.ID and etcdctl print them: in text, and in JSON as strings, which
 * every JSON reader keeps exact (a number above 2^53 is rounded by most).
 */
const idFields = new Map<MessageSpec, ReadonlySet<string>>([
  [pb.RequestHeaderSpec, new Set(['ID'])],
  [InternalRaftRequestSpec, new Set(['ID'])],
  [RequestSpec, new Set(['ID'])],
  [pb.PutRequestSpec, new Set(['lease'])],
  [pb.CompareSpec, new Set(['lease'])],
  [pb.LeaseGrantRequestSpec, new Set(['ID'])],
  [pb.LeaseRevokeRequestSpec, new Set(['ID'])],
  [pb.LeaseCheckpointSpec, new Set(['ID'])],
  [pb.AlarmRequestSpec, new Set(['memberID'])],
  [ClusterMemberAttrSetRequestSpec, new Set(['member_ID'])],
]);

/**
 * v2 times are Unix nanoseconds (etcdserver/api/v2http, v2store), above 2^53:
 * they print as RFC 3339 with nanoseconds, as Go's time.RFC3339Nano, exact.
 */
const v2Times = new Set(['Expiration', 'Time']);

function rfc3339Nano(ns: bigint): string {
  const seconds = new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${seconds}${frac ? '.' + frac : ''}Z`;
}

/** An ID field's value as it prints (int64 lease IDs as their uint64 bits). */
const idText = (v: number | bigint): string => idHex(BigInt.asUintN(64, BigInt(v)));

interface NamedField {
  field: FieldSpec;
  /** A credential (secrets.ts). */
  secret: boolean;
  /** One of idFields. */
  id: boolean;
}

/** Each spec's fields by name, kept on the spec itself: a WeakMap lookup per field cost a twentieth of a dump. */
const BY_NAME = Symbol('fields by name');

function fieldNamed(spec: MessageSpec, name: string): NamedField | undefined {
  const holder = spec as MessageSpec & { [BY_NAME]?: Map<string, NamedField> };
  let m = holder[BY_NAME];
  if (!m) {
    const secrets = credentialFields(spec);
    holder[BY_NAME] = m = new Map(spec.fields.map((f) => [f.name, { field: f, secret: secrets?.has(f.name) ?? false, id: idFields.get(spec)?.has(f.name) ?? false }]));
  }
  return m.get(name);
}

/**
 * Walks a message's fields as they print: set fields only, by proto name, in
 * the order they were decoded (the message's own keys rather than the spec's
 * fields: InternalRaftRequest has over thirty, and a dump renders millions of
 * them). `visit` gets each with its value as decoded, or what JSON shows for
 * a withheld one (`redacted`): null, or a v2 user's Val with a null password.
 */
function eachShownField(spec: MessageSpec, msg: Msg, opts: RenderOptions, visit: (f: FieldSpec, v: any, redacted: boolean) => void): void {
  for (const name in msg) {
    const named = fieldNamed(spec, name);
    const v = msg[name];
    if (!named || !isSet(named.field, v)) continue;
    const f = named.field;
    if (isSecret(spec, f, msg, opts, named.secret)) visit(f, null, true);
    else if (spec === RequestSpec && f.name === 'Val' && !policyOf(opts).show && isV2UserPath(msg.Path) && typeof v === 'string') {
      visit(f, withoutV2Password(v, null), true);
    } else visit(f, named.id ? idText(v) : spec === RequestSpec && v2Times.has(f.name) ? rfc3339Nano(BigInt(v)) : v, false);
  }
}

/** A message as a JSON-safe object (eachShownField's fields). */
export function renderMessage(spec: MessageSpec, msg: Msg, opts: RenderOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  eachShownField(spec, msg, opts, (f, v, redacted) => {
    out[f.name] = redacted ? v : f.repeated ? v.map((x: unknown) => jsonValue(f, x, opts)) : jsonValue(f, v, opts);
  });
  return out;
}

/**
 * A decoded message that renders itself: as renderMessage's object when
 * asked (`toJSON`), and straight into a JSON line when json.ts writes it,
 * without the object in between (a dump writes one for every entry).
 */
export class RenderedMessage {
  constructor(
    readonly spec: MessageSpec,
    readonly msg: Msg,
    readonly opts: RenderOptions,
  ) {}

  toJSON(): Record<string, unknown> {
    return renderMessage(this.spec, this.msg, this.opts);
  }

  writeJson(out: JsonOut): void {
    writeMessage(out, this.spec, this.msg, this.opts);
  }
}

// The pieces of a plain put's JSON, encoded once.
const HEADER_OPEN = Buffer.from('"header":{', 'latin1');
const ID = Buffer.from('"ID":', 'latin1');
const PUT_KEY = Buffer.from('"put":{"key":', 'latin1');
const PUT_VALUE = Buffer.from(',"value":', 'latin1');

/**
 * A plain put's request (readPlainPut) from its entry's bytes, as
 * writeMessage writes its decoded message: fields in the order written, the
 * header's ID only if it is not 0. Not for a Secret, whose value is withheld.
 */
export function writePlainPutRequest(out: JsonOut, data: Uint8Array, p: PlainPut): void {
  out.byte(0x7b);
  if (p.putFirst) writePutKeyValue(out, data, p);
  else writeHeaderID(out, p.id);
  out.byte(0x2c);
  if (p.putFirst) writeHeaderID(out, p.id);
  else writePutKeyValue(out, data, p);
  out.byte(0x7d);
}

function writeHeaderID(out: JsonOut, id: number | bigint): void {
  out.raw(HEADER_OPEN);
  if (id !== 0) {
    out.raw(ID);
    out.value(idText(id));
  }
  out.byte(0x7d);
}

function writePutKeyValue(out: JsonOut, data: Uint8Array, p: PlainPut): void {
  out.raw(PUT_KEY);
  out.base64Of(data, p.keyStart, p.keyEnd);
  out.raw(PUT_VALUE);
  out.base64Of(data, p.valueStart, p.valueEnd);
  out.byte(0x7d);
}

function writeMessage(out: JsonOut, spec: MessageSpec, msg: Msg, opts: RenderOptions): void {
  let first = true;
  eachShownField(spec, msg, opts, (f, v, redacted) => {
    out.key(f.name, first);
    first = false;
    if (redacted) out.value(v);
    else if (!f.repeated) writeValue(out, f, v, opts);
    else {
      out.text('[');
      (v as unknown[]).forEach((x, i) => {
        if (i) out.text(',');
        writeValue(out, f, x, opts);
      });
      out.text(']');
    }
  });
  out.text(first ? '{}' : '}');
}

/** jsonValue, written. */
function writeValue(out: JsonOut, f: FieldSpec, v: any, opts: RenderOptions): void {
  if (f.kind === 'message') writeMessage(out, f.msg!(), v, opts);
  else if (f.kind === 'bytes') out.base64Of(v);
  else out.value(jsonValue(f, v, opts));
}

/** The decoded message of a normal entry, to be rendered; undefined for an empty or undecodable entry. */
export function requestMessage(d: DecodedRequest, opts: RenderOptions = {}): RenderedMessage | undefined {
  if (d.message === undefined) return undefined;
  return new RenderedMessage(d.wire === 'Request' ? RequestSpec : InternalRaftRequestSpec, d.message, opts);
}

/** The decoded message of a normal entry as JSON; undefined for an empty or undecodable entry. */
export function renderRequest(d: DecodedRequest, opts: RenderOptions = {}): Record<string, unknown> | undefined {
  return requestMessage(d, opts)?.toJSON();
}

function renderMember(m: MemberContext): Record<string, unknown> {
  const out: Record<string, unknown> = { id: idHex(m.id), peerURLs: m.peerURLs };
  if (m.name !== undefined) out.name = m.name;
  if (m.clientURLs !== undefined) out.clientURLs = m.clientURLs;
  if (m.isLearner) out.isLearner = true;
  if (m.isPromote) out.isPromote = true;
  return out;
}

const isV2 = (c: ConfChange | ConfChangeV2): c is ConfChangeV2 => 'changes' in c;

/** A conf change as JSON by raft.proto's field names, member IDs in hex as etcd prints them; the context as the member when it is one. */
export function renderConfChange(d: DecodedConfChange): Record<string, unknown> | undefined {
  const c = d.change;
  if (c === undefined) return undefined;
  const out: Record<string, unknown> = isV2(c)
    ? { transition: ConfChangeTransition[c.transition] ?? c.transition, changes: c.changes.map((s) => ({ type: ConfChangeType[s.type] ?? s.type, node_id: idHex(s.nodeId) })) }
    : { ...(c.id !== 0n && { id: idHex(c.id) }), type: ConfChangeType[c.type] ?? c.type, node_id: idHex(c.nodeId) };
  if (d.member !== undefined) out.member = renderMember(d.member);
  else if (c.context !== undefined && c.context.length > 0) out.context = Buffer.from(c.context).toString('base64');
  return out;
}

// ---- One line per request -------------------------------------------------

/**
 * strconv.Quote: printable UTF-8 as is, Go's escapes for the rest, and each
 * byte of invalid UTF-8 as \xHH.
 */
export function goQuote(s: Uint8Array | string): string {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  let out = '"';
  let i = 0;
  while (i < b.length) {
    const [r, n] = decodeRune(b, i);
    if (r < 0) out += '\\x' + hex2(b[i]);
    else if (r === 0x22 || r === 0x5c) out += '\\' + String.fromCodePoint(r);
    else if (isPrint(r)) out += String.fromCodePoint(r);
    else if (goEscapes[r] !== undefined) out += goEscapes[r];
    else if (r < 0x20 || r === 0x7f) out += '\\x' + hex2(r);
    else if (r < 0x10000) out += '\\u' + r.toString(16).padStart(4, '0');
    else out += '\\U' + r.toString(16).padStart(8, '0');
    i += n;
  }
  return out + '"';
}

/** A key as etcdctl prints it: its UTF-8 text where that is valid and printable, else Go-quoted (goQuote), which shows every byte. */
export function keyText(key: Uint8Array): string {
  const s = Buffer.from(key).toString('utf8');
  return isUtf8(key) && [...s].every((c) => isPrint(c.codePointAt(0)!)) ? s : goQuote(key);
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const goEscapes: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };
/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const isPrint = (r: number): boolean => printable.test(String.fromCodePoint(r));

/** utf8.DecodeRune: [rune, width], or [-1, 1] for a byte that starts no valid sequence. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c = b[i];
  if (c < 0x80) return [c, 1];
  const [n, min, lead] = c >= 0xf0 && c <= 0xf4 ? [4, 0x10000, c & 0x07] : c >= 0xe0 && c <= 0xef ? [3, 0x800, c & 0x0f] : c >= 0xc2 && c <= 0xdf ? [2, 0x80, c & 0x1f] : [0, 0, 0];
  if (n === 0 || i + n > b.length) return [-1, 1];
  let r = lead;
  for (let k = 1; k < n; k++) {
    const x = b[i + k];
    if ((x & 0xc0) !== 0x80) return [-1, 1];
    r = (r << 6) | (x & 0x3f);
  }
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return [-1, 1];
  return [r, n];
}

/** Values longer than this print as their first bytes and their length. */
const valueExcerpt = 64;
const valueFields = new Set(['value', 'Val', 'PrevValue']);


function textScalar(spec: MessageSpec, f: FieldSpec, v: any, msg: Msg, opts: RenderOptions): string {
  if (isSecret(spec, f, msg, opts)) return REDACTED;
  switch (f.kind) {
    case 'bytes':
    case 'string': {
      const b: Uint8Array = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
      if (spec === pb.PutRequestSpec && f.name === 'value') {
        const shown = valueText(b, opts.values ?? 'k8s');
        if (shown !== undefined) return shown;
      }
      if (valueFields.has(f.name) && b.length > valueExcerpt) return `${goQuote(b.subarray(0, valueExcerpt))}...(${b.length} bytes)`;
      return goQuote(b);
    }
    case 'enum':
      return f.enumNames?.[v] ?? String(v);
    case 'message':
      return `{${textFields(f.msg!(), v, opts)}}`;
    default:
      return idFields.get(spec)?.has(f.name) ? idText(v) : String(v);
  }
}

/** A put value shown other than as quoted text, or undefined to quote it. */
function valueText(b: Uint8Array, mode: ValueMode): string | undefined {
  switch (mode) {
    case 'none':
      return `(${b.length} bytes)`;
    case 'hex':
      return b.length > valueExcerpt ? `${Buffer.from(b.subarray(0, valueExcerpt)).toString('hex')}...(${b.length} bytes)` : Buffer.from(b).toString('hex');
    case 'k8s':
    case 'k8s-full':
      return k8sValueText(b);
    default:
      return undefined;
  }
}

/** A Kubernetes object by identity, or an encrypted one by provider and key; undefined for any other value. */
export function k8sValueText(b: Uint8Array): string | undefined {
  const enc = decodeK8sEncryption(b);
  if (enc) return `k8s-encrypted(${enc.provider}:${enc.version}, key ${enc.keyName}, ${b.length} bytes)`;
  const o = decodeK8sValue(b);
  if (!o) return undefined;
  const where = o.name ? ` ${o.namespace ? o.namespace + '/' : ''}${o.name}` : '';
  return `k8s(${o.apiVersion}/${o.kind}${where}, ${b.length} bytes)`;
}

/** Enums whose zero value a reader would miss: a READ permission, an alarm GET. */
const namedZeros = new Map<MessageSpec, ReadonlySet<string>>([
  [PermissionSpec, new Set(['permType'])],
  [pb.AlarmRequestSpec, new Set(['action'])],
]);

/** `name=value` for each set field; nested messages in braces, repeated fields in brackets. */
function textFields(spec: MessageSpec, msg: Msg, opts: RenderOptions): string {
  const parts: string[] = [];
  for (const f of spec.fields) {
    const v = msg[f.name];
    if (!isSet(f, v) && !(namedZeros.get(spec)?.has(f.name) && v === 0)) continue;
    const text = f.repeated && !isSecret(spec, f, msg, opts) ? `[${v.map((x: unknown) => textScalar(spec, f, x, msg, opts)).join(', ')}]` : textScalar(spec, f, v, msg, opts);
    parts.push(`${f.name}=${text}`);
  }
  return parts.join(' ');
}

const compareOps: Record<number, string> = { 0: '=', 1: '>', 2: '<', 3: '!=' };
const compareTargetNames = enumNames('etcdserverpb.Compare.CompareTarget');
const compareMembers = ['version', 'create_revision', 'mod_revision', 'value', 'lease'];

/** etcdctl's txn syntax: `create("/k") = 0`, `value("/k") != "v"`. */
function textCompare(c: Msg, opts: RenderOptions): string {
  const spec = pb.CompareSpec;
  const target = compareTargetNames[c.target] ?? String(c.target);
  const range = c.range_end !== undefined && c.range_end.length > 0 ? `, ${goQuote(c.range_end)}` : '';
  // The member matching the target; etcd compares nothing when it is missing.
  const expected = compareMembers[c.target];
  const member = expected !== undefined && c[expected] !== undefined ? expected : compareMembers.find((m) => c[m] !== undefined);
  const f = spec.fields.find((x) => x.name === member);
  const against = f === undefined ? '(no value)' : textScalar(spec, f, c[f.name], c, opts);
  return `${target.toLowerCase()}(${goQuote(c.key ?? new Uint8Array())}${range}) ${compareOps[c.result] ?? c.result} ${against}`;
}

function textRequestOp(op: Msg, opts: RenderOptions): string {
  if (op.request_txn !== undefined) return `txn ${textTxn(op.request_txn, opts)}`;
  for (const f of pb.RequestOpSpec.fields) if (op[f.name] !== undefined) return `${f.name.replace('request_', '')} ${textFields(f.msg!(), op[f.name], opts)}`.trimEnd();
  return '(empty op)';
}

function textTxn(t: Msg, opts: RenderOptions): string {
  const list = (ops: Msg[]) => `[${ops.map((o) => textRequestOp(o, opts)).join(', ')}]`;
  return `compare=[${t.compare.map((c: Msg) => textCompare(c, opts)).join(', ')}] success=${list(t.success)} failure=${list(t.failure)}`;
}


function textV2(request: Msg, opts: RenderOptions): string {
  // Withheld fields as text shows them (REDACTED), then every field as it reads.
  const r = redactSecrets(policyOf(opts))(RequestSpec, request);
  const rendered = renderMessage(RequestSpec, r, { ...opts, secrets: SHOW_SECRETS });
  const parts = [`v2 ${r.Method === '' ? '(no method)' : r.Method}`];
  for (const f of RequestSpec.fields) {
    if (f.name === 'ID' || f.name === 'Method' || rendered[f.name] === undefined) continue;
    const v = rendered[f.name];
    parts.push(`${f.name}=${f.kind === 'string' ? textScalar(RequestSpec, f, v, r, opts) : String(v)}`);
  }
  return parts.join(' ');
}

/** One line naming the request, e.g. `put key="/a" value="b" lease=694d7b6c0b1f3a04`. */
export function describeRequest(d: DecodedRequest, opts: RenderOptions = {}): string {
  if (d.kind === 'empty') return 'empty';
  if (d.kind === 'v2') return textV2(d.v2!, opts);
  if (d.kind === 'unknown' || d.message === undefined) return `unknown: ${d.error ?? 'undecodable'}`;
  const m = d.message;
  const body = d.kind === 'txn' ? textTxn(m.txn!, opts) : textFields(InternalRaftRequestSpec.fields.find((f) => f.name === d.kind)!.msg!(), m[d.kind]!, opts);
  const user = m.header?.username ? ` user=${goQuote(m.header.username)}` : '';
  return `${d.kind}${body === '' ? '' : ' ' + body}${user}`;
}

/** One line naming a conf change, e.g. `ConfChangeAddLearnerNode e831bcc5b5101e43 name="n2" peerURLs=[…] learner`. */
export function describeConfChange(d: DecodedConfChange): string {
  const c = d.change;
  if (c === undefined) return `unknown: ${d.error ?? 'undecodable'}`;
  const changes = isV2(c)
    ? [`${ConfChangeTransition[c.transition] ?? c.transition}`, ...c.changes.map((s) => `${ConfChangeType[s.type] ?? s.type} ${idHex(s.nodeId)}`)].join(' ')
    : `${ConfChangeType[c.type] ?? c.type} ${idHex(c.nodeId)}`;
  const m = d.member;
  if (m === undefined) return changes;
  const attrs = [m.name !== undefined ? `name=${goQuote(m.name)}` : '', `peerURLs=[${m.peerURLs.join(', ')}]`];
  if (m.clientURLs !== undefined) attrs.push(`clientURLs=[${m.clientURLs.join(', ')}]`);
  if (m.isLearner) attrs.push('learner');
  if (m.isPromote) attrs.push('promote');
  return `${changes} ${attrs.filter((a) => a !== '').join(' ')}`;
}
