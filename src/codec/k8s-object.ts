/**
 * A Kubernetes object stored in etcd, decoded whole: the protobuf envelope
 * ("k8s\0", then runtime.Unknown: typeMeta {apiVersion, kind}, raw,
 * contentEncoding, contentType; k8s.io/apimachinery/pkg/runtime/serializer/protobuf)
 * with its raw bytes read by the kind's declared type (k8s-schema.ts), or
 * generically with its ObjectMeta when walt does not declare the kind; or a
 * JSON object with apiVersion and kind, as custom resources (and every
 * object under --storage-media-type=application/json) are stored.
 *
 * Loaded only for `--decode-values k8s-full` (report/k8s-object-view.ts):
 * it brings protobufjs.
 */
import { hasK8sMagic, jsonK8sObject } from './k8s.js';
import { k8sSchema } from './k8s-schema.js';
import { DEFAULT_WALK, walkMessage, type K8sJsonObject, type WalkOptions, type WalkState } from './k8s-walk.js';

export type { K8sJson, K8sJsonObject } from './k8s-walk.js';

export interface K8sObjectDecoded {
  /** The object as the API server's JSON has it: apiVersion and kind (from the envelope), then its fields. */
  object: K8sJsonObject;
  /** typed: by walt's .proto for the kind; generic: ObjectMeta, the rest by field number; json: stored as JSON. */
  decoding: 'typed' | 'generic' | 'json';
  /** The envelope's, when set (the API server leaves both empty). */
  contentType?: string;
  contentEncoding?: string;
  /** Where decoding stopped short; what decoded before it is in `object`. */
  error?: string;
}

/** The whole object, or undefined when the value is not a Kubernetes object. */
export function decodeK8sObject(value: Uint8Array, opts: WalkOptions = DEFAULT_WALK): K8sObjectDecoded | undefined {
  if (hasK8sMagic(value, 0, value.length)) return decodeEnvelope(value.subarray(4), opts);
  const json = jsonK8sObject(value);
  return json ? { object: json as K8sJsonObject, decoding: 'json' } : undefined;
}

function decodeEnvelope(bytes: Uint8Array, opts: WalkOptions): K8sObjectDecoded | undefined {
  const schema = k8sSchema();
  const state: WalkState = { opts };
  const unknown = walkMessage(schema.unknown, bytes, state) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string; contentType?: string };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  if (!apiVersion && !kind) return undefined;
  const type = schema.typeOf(apiVersion, kind);
  const out: K8sObjectDecoded = { object: { apiVersion, kind }, decoding: type ? 'typed' : 'generic' };
  if (unknown.contentType) out.contentType = unknown.contentType;
  if (unknown.contentEncoding) {
    // The API server writes none; an encoded raw is shown as it is.
    out.contentEncoding = unknown.contentEncoding;
    if (unknown.raw) out.object.raw = unknown.raw;
  } else if (unknown.raw) {
    Object.assign(out.object, walkMessage(type ?? schema.anyObject, unknown.raw, state) as K8sJsonObject);
  }
  if (state.error) out.error = state.error;
  return out;
}
