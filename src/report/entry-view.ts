/**
 * How an entry reads: its decoded request for JSON output and a one-line
 * summary for the table.
 */
import { EntryType, type Entry } from '../codec/proto/raftpb.js';
import { decodeConfChangeEntry, decodeNormalEntry } from '../codec/request.js';
import { describeConfChange, describeRequest, policyOf, renderConfChange, requestMessage, type RenderOptions } from './render.js';
import { carriesSecret } from './secrets.js';
import { decodeK8sEncryption, decodeK8sValue } from '../codec/k8s.js';

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
  const value = (opts.values ?? 'k8s') === 'k8s' && d.kind === 'put' ? d.message?.put?.value : undefined;
  const encrypted = decodeK8sEncryption(value);
  const k8s = encrypted ? { encrypted } : decodeK8sValue(value);
  // Assigned one by one rather than spread: this runs for every entry a dump prints.
  const fields: Record<string, unknown> = { kind: d.kind };
  if (d.wire) fields.wire = d.wire;
  if (request) fields.request = request;
  if (k8s) fields.k8s = k8s;
  if (d.error) fields.error = d.error;
  return { fields, secret: carriesSecret(d, policyOf(opts)) };
}

/** The entry in one line, for the table. */
export function entrySummary(e: Entry, opts: RenderOptions): string {
  if (isConfChange(e)) {
    const d = decodeConfChangeEntry(e);
    return d.error ? `(undecodable: ${d.error})` : describeConfChange(d);
  }
  return describeRequest(decodeNormalEntry(e.data), opts);
}
