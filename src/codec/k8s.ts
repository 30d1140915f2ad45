/**
 * Kubernetes objects as the API server stores them in etcd under /registry/,
 * by identity (k8s-object.ts decodes them whole): the magic "k8s\0", then a
 * runtime.Unknown message
 * (k8s.io/apimachinery/pkg/runtime/generated.proto: 1 typeMeta {1 apiVersion,
 * 2 kind}, 2 raw, 3 contentEncoding, 4 contentType) whose raw bytes are the
 * object, its field 1 being ObjectMeta (1 name, 2 generateName, 3 namespace);
 * or JSON with apiVersion, kind and metadata, as custom resources are stored.
 */
import { ProtoReader, WireType } from './proto/wire.js';
import { ProtoError } from './errors.js';

export const K8S_MAGIC = Buffer.from('k8s\0', 'latin1');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  /** The envelope's content type when set; application/json for an object stored as JSON. */
  contentType?: string;
}

/** runtime.TypeMeta's and ObjectMeta's string fields walt reads, by number. */
const TYPE_META: Readonly<Record<number, keyof K8sObject>> = { 1: 'apiVersion', 2: 'kind' };
const OBJECT_META: Readonly<Record<number, keyof K8sObject>> = { 1: 'name', 3: 'namespace' };

/** Whether buf[start, end) begins as a Kubernetes object does (decodeK8sValue reads only such values). */
export function hasK8sMagic(buf: Uint8Array, start: number, end: number): boolean {
  return end - start >= K8S_MAGIC.length && buf[start] === K8S_MAGIC[0] && buf[start + 1] === K8S_MAGIC[1] && buf[start + 2] === K8S_MAGIC[2] && buf[start + 3] === K8S_MAGIC[3];
}

/** Whether buf[start, end) may hold a Kubernetes object: it begins "k8s" (an object, or an encrypted one) or "{" (JSON). */
export function mayBeK8s(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start >= 1 && buf[start] === 0x7b) return true;
  return end - start >= 3 && buf[start] === K8S_MAGIC[0] && buf[start + 1] === K8S_MAGIC[1] && buf[start + 2] === K8S_MAGIC[2];
}

/**
 * The object's identity, or undefined when the value is not a Kubernetes
 * protobuf envelope. Read field by field and leniently: what decoded before a
 * damaged or unknown field is still worth showing.
 */
export function decodeK8sValue(value: Uint8Array | undefined): K8sObject | undefined {
  // Byte by byte: most values are not Kubernetes objects, and this runs on every put a dump prints.
  if (!value || value.length === 0) return undefined;
  if (value === lastValue) return lastObject;
  lastObject = decodeValue(value);
  lastValue = value;
  return lastObject;
}

/**
 * The value decodeK8sValue read last (the same view, not equal bytes) and what
 * it held: a dump asks of each put whether it writes a Secret, then what
 * object it names, and the object would be decoded twice.
 */
let lastValue: Uint8Array | undefined;
let lastObject: K8sObject | undefined;

function decodeValue(value: Uint8Array): K8sObject | undefined {
  if (value[0] === 0x7b) return jsonIdentity(jsonK8sObject(value));
  if (!hasK8sMagic(value, 0, value.length)) return undefined;
  const out: K8sObject = { apiVersion: '', kind: '' };
  const r = new ProtoReader(value, 4);
  try {
    while (!r.done()) {
      const t = r.tag();
      if (t === ((1 << 3) | WireType.LEN)) Object.assign(out, stringFields(r.bytes(), TYPE_META));
      else if (t === ((2 << 3) | WireType.LEN)) Object.assign(out, objectMeta(r.bytes()));
      else if (t === ((4 << 3) | WireType.LEN)) {
        const ct = r.string();
        if (ct) out.contentType = ct;
      }
      else r.skip(t & 7);
    }
  } catch {
    // Keep what decoded before the damage.
  }
  return out.kind || out.apiVersion ? out : undefined;
}

/** Every object's field 1 is its ObjectMeta. */
function objectMeta(raw: Uint8Array): Partial<K8sObject> {
  const r = new ProtoReader(raw);
  while (!r.done()) {
    const t = r.tag();
    if (t === ((1 << 3) | WireType.LEN)) return stringFields(r.bytes(), OBJECT_META);
    r.skip(t & 7);
  }
  return {};
}

/** The non-empty string fields `names` of the message in `raw`; a known field with another wire type is an error, as in any protobuf decoder. */
function stringFields(raw: Uint8Array, names: Readonly<Record<number, keyof K8sObject>>): Partial<K8sObject> {
  const out: Partial<K8sObject> = {};
  const r = new ProtoReader(raw);
  while (!r.done()) {
    const at = r.pos;
    const t = r.tag();
    const name = names[t >>> 3];
    if (name === undefined) r.skip(t & 7);
    else if ((t & 7) !== WireType.LEN) throw new ProtoError(`wrong wire type ${t & 7} for ${name}`, at);
    else {
      const v = r.string();
      if (v !== '') (out as Record<string, string>)[name] = v;
      else delete out[name];
    }
  }
  return out;
}

const ENC_PREFIX = Buffer.from('k8s:enc:', 'latin1');

/** A value the API server encrypted at rest: `k8s:enc:<provider>:<version>:<key name>:` then ciphertext (apiserver/pkg/storage/value/encrypt). */
export interface K8sEncrypted {
  /** aescbc, aesgcm, secretbox, kms. */
  provider: string;
  version: string;
  /** The key's (or KMS plugin's) name from the EncryptionConfiguration. */
  keyName: string;
}

export function decodeK8sEncryption(value: Uint8Array | undefined): K8sEncrypted | undefined {
  if (!value || value.length < ENC_PREFIX.length || ENC_PREFIX.compare(value, 0, ENC_PREFIX.length) !== 0) return undefined;
  // The three names are ASCII and colon-terminated; the ciphertext after them is binary.
  const names: string[] = [];
  let at = ENC_PREFIX.length;
  while (names.length < 3) {
    const end = value.indexOf(0x3a, at);
    if (end < 0 || end - at > 256) return undefined;
    names.push(Buffer.from(value.buffer, value.byteOffset + at, end - at).toString('latin1'));
    at = end + 1;
  }
  return { provider: names[0], version: names[1], keyName: names[2] };
}

const API_VERSION_KEY = Buffer.from('"apiVersion"', 'latin1');

/**
 * A JSON-stored object: a JSON object with string apiVersion and kind, as
 * the API server stores custom resources, and every object under
 * --storage-media-type=application/json. Undefined for any other value.
 */
export function jsonK8sObject(value: Uint8Array): Record<string, unknown> | undefined {
  const text = Buffer.from(value.buffer, value.byteOffset, value.length);
  // Most JSON values are not Kubernetes objects: look before parsing.
  if (value[0] !== 0x7b || text.indexOf(API_VERSION_KEY) < 0) return undefined;
  try {
    const o = JSON.parse(text.toString('utf8'));
    return o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o.apiVersion === 'string' && typeof o.kind === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

function jsonIdentity(o: Record<string, unknown> | undefined): K8sObject | undefined {
  if (!o) return undefined;
  const out: K8sObject = { apiVersion: o.apiVersion as string, kind: o.kind as string };
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (typeof meta?.namespace === 'string' && meta.namespace !== '') out.namespace = meta.namespace;
  if (typeof meta?.name === 'string' && meta.name !== '') out.name = meta.name;
  out.contentType = 'application/json';
  return out;
}

const SECRET_KIND = Buffer.from('"Secret"', 'latin1');

/**
 * Whether the value is a Kubernetes Secret object: protobuf (kind in its
 * TypeMeta) or JSON, as the API server stores it with
 * --storage-media-type=application/json and as it stores custom resources.
 */
export function isK8sSecretObject(value: Uint8Array | undefined): boolean {
  if (!value || value.length === 0) return false;
  if (value[0] === K8S_MAGIC[0]) return decodeK8sValue(value)?.kind === 'Secret';
  if (value[0] !== 0x7b || Buffer.from(value.buffer, value.byteOffset, value.length).indexOf(SECRET_KIND) < 0) return false;
  return jsonK8sObject(value)?.kind === 'Secret';
}
