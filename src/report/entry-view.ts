/**
 * How an entry reads: its decoded request for JSON output and a one-line
 * summary for the table.
 */
import { EntryType, type Entry } from '../codec/proto/raftpb.js';
import { decodeConfChangeEntry, decodeNormalEntry, type DecodedRequest } from '../codec/request.js';
import type { Msg } from '../codec/proto/message.js';
import { describeConfChange, describeRequest, policyOf, renderConfChange, requestMessage, showsK8s, type RenderOptions } from './render.js';
import { carriesSecret, hidesValue } from './secrets.js';
import { decodeK8sEncryption, decodeK8sValue } from '../codec/k8s.js';
import { k8sDecodingJson, k8sObjectJson } from './k8s-object-view.js';

const isConfChange = (e: Entry) => e.type === EntryType.EntryConfChange || e.type === EntryType.EntryConfChangeV2;

/** Short type for the table: norm, conf, conf2. */
export const shortType = (e: Entry): string => (e.type === EntryType.EntryConfChange ? 'conf' : e.type === EntryType.EntryConfChangeV2 ? 'conf2' : 'norm');

export interface EntryJson {
  /** Fields merged into the entry's JSON line; a decoded request is a RenderedMessage (its toJSON() is the object). */
  fields: Record<string, unknown>;
  /** The entry holds a password or token: its raw bytes must not be printed either. */
  secret: boolean;
}

/** The decoded request of an entry, for its JSON line. */
export function entryJson(e: Entry, opts: RenderOptions): EntryJson {
  if (isConfChange(e)) {
    const d = decodeConfChangeEntry(e);
    const cc = renderConfChange(d);
    return { fields: { kind: 'confChange', ...(cc ? { confChange: cc } : {}), ...(d.error ? { error: d.error } : {}) }, secret: false };
  }
  const d = decodeNormalEntry(e.data);
  const request = requestMessage(d, opts);
  // Assigned one by one rather than spread: this runs for every entry a dump prints.
  const fields: Record<string, unknown> = { kind: d.kind };
  if (d.wire) fields.wire = d.wire;
  if (request) fields.request = request;
  const put = showsK8s(opts) ? shownPut(d) : undefined;
  if (put) addK8sFields(fields, put, opts);
  if (d.error) fields.error = d.error;
  return { fields, secret: carriesSecret(d, policyOf(opts)) };
}

/**
 * The put whose value the "k8s" fields show: a put's own, or the first put
 * of a txn's success branch (the API server writes each object by a txn
 * comparing its mod revision, then putting it: k8s.io/apiserver's etcd3 store).
 */
function shownPut(d: DecodedRequest): Msg | undefined {
  if (d.kind === 'put') return d.message?.put;
  if (d.kind === 'txn') return (d.message?.txn?.success as Msg[] | undefined)?.find((op) => op.request_put)?.request_put;
  return undefined;
}

/** "k8s": the object's identity (or its encryption); with k8s-full, "k8sObject": the object whole. */
function addK8sFields(fields: Record<string, unknown>, put: Msg, opts: RenderOptions): void {
  const value: Uint8Array | undefined = put.value;
  const encrypted = decodeK8sEncryption(value);
  if (encrypted) {
    fields.k8s = { encrypted };
    return;
  }
  const k8s = decodeK8sValue(value);
  if (!k8s) return;
  const whole = opts.k8sObjects?.(value!);
  fields.k8s = whole ? { ...k8s, ...k8sDecodingJson(whole) } : k8s;
  if (whole) fields.k8sObject = k8sObjectJson(whole, hidesValue(policyOf(opts), put.key, value));
}

/** The entry as the table prints it: one line, and with k8s-full the Kubernetes object it writes, with where its decoding stopped short. */
export function entryRow(e: Entry, opts: RenderOptions): { summary: string; k8sObject?: Record<string, unknown>; k8sError?: string } {
  if (isConfChange(e) || !opts.k8sObjects) return { summary: entrySummary(e, opts) };
  const d = decodeNormalEntry(e.data);
  const fields: Record<string, unknown> = {};
  const put = shownPut(d);
  if (put) addK8sFields(fields, put, opts);
  return { summary: describeRequest(d, opts), k8sObject: fields.k8sObject as Record<string, unknown> | undefined, k8sError: (fields.k8s as { error?: string } | undefined)?.error };
}

/** The entry in one line, for the table. */
export function entrySummary(e: Entry, opts: RenderOptions): string {
  if (isConfChange(e)) {
    const d = decodeConfChangeEntry(e);
    return d.error ? `(undecodable: ${d.error})` : describeConfChange(d);
  }
  return describeRequest(decodeNormalEntry(e.data), opts);
}
