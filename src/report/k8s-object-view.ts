/**
 * A Kubernetes object decoded whole (`--decode-values k8s-full`), as walt
 * prints it: the JSON `kubectl get -o json` prints (keys sorted: kubectl
 * prints objects as maps, whose keys Go's encoding/json sorts), bytes as
 * base64, managed fields summarised, and what the secret policy withholds
 * withheld.
 */
import type { K8sJson, K8sJsonObject, K8sObjectDecoded } from '../codec/k8s-object.js';
import { base64 } from '../util/json.js';
import { withholdK8sObject } from './secrets.js';

export type K8sObjectDecoder = (value: Uint8Array) => K8sObjectDecoded | undefined;

/** The decoder, loaded when asked for: it brings protobufjs and walt's .proto files, which nothing else needs. */
export async function loadK8sObjectDecoder(): Promise<K8sObjectDecoder> {
  return (await import('../codec/k8s-object.js')).decodeK8sObject;
}

/** The object for JSON output; `withheld`: the policy withholds this value (secrets.ts hidesValue). */
export function k8sObjectJson(d: K8sObjectDecoded, withheld: boolean): Record<string, unknown> {
  const object = jsonSafe(summariseManagedFields(d.object)) as Record<string, unknown>;
  return withheld ? withholdK8sObject(object) : object;
}

/** What walt says about the decoding beside the object's identity: how it was read, and where it stopped short (the identity has the content type). */
export function k8sDecodingJson(d: K8sObjectDecoded): Record<string, unknown> {
  const out: Record<string, unknown> = { decoding: d.decoding };
  if (d.contentEncoding) out.contentEncoding = d.contentEncoding;
  if (d.error) out.error = d.error;
  return out;
}

/**
 * metadata.managedFields with each entry's fieldsV1 (the set of fields its
 * manager owns, often the largest part of an object) summarised as the
 * top-level fields it touches, in `fields`: `["f:metadata", "f:spec"]`.
 * kubectl leaves managed fields out unless asked (--show-managed-fields).
 */
function summariseManagedFields(o: K8sJsonObject): K8sJsonObject {
  const meta = o.metadata;
  if (!isObject(meta) || !Array.isArray(meta.managedFields)) return o;
  const managedFields = meta.managedFields.map((e) => {
    if (!isObject(e) || !('fieldsV1' in e)) return e;
    const { fieldsV1, ...rest } = e;
    return { ...rest, fields: isObject(fieldsV1) ? Object.keys(fieldsV1) : [] };
  });
  return { ...o, metadata: { ...meta, managedFields } };
}

const isObject = (v: K8sJson | undefined): v is K8sJsonObject => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Bytes as base64 (JsonBytes), objects' keys sorted, everything else as it is. */
function jsonSafe(v: K8sJson): unknown {
  if (v instanceof Uint8Array) return base64(v);
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = jsonSafe(v[k]);
    return out;
  }
  return v;
}
