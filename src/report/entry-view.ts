/**
 * How an entry reads: its decoded request for JSON output and a one-line
 * summary for the table. Conf changes carry the member as JSON in their
 * context (etcd membership.Member).
 */
import { EntryType, decodeConfChange, decodeConfChangeV2, ConfChangeType, ConfChangeTransition, type Entry } from '../codec/proto/raftpb.js';
import { idHex } from '../codec/proto/metadata.js';

export interface EntryView {
  /** Short type for the table: norm, conf, conf2. */
  short: string;
  summary: string;
  /** Fields merged into the entry's JSON line. */
  json: Record<string, unknown>;
}

export interface ViewOptions {
  showSecrets: boolean;
}

function memberContext(ctx: Uint8Array | undefined): unknown {
  if (!ctx || ctx.length === 0) return undefined;
  const text = Buffer.from(ctx).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return Buffer.from(ctx).toString('base64');
  }
}

export function describeEntry(e: Entry, _opts: ViewOptions): EntryView {
  if (e.type === EntryType.EntryConfChange) {
    const cc = decodeConfChange(e.data ?? new Uint8Array(0));
    const member = memberContext(cc.context);
    const type = ConfChangeType[cc.type] ?? String(cc.type);
    return {
      short: 'conf',
      summary: `${type} node=${idHex(cc.nodeId)}${member ? ' ' + JSON.stringify(member) : ''}`,
      json: { confChange: { id: cc.id, type, nodeID: idHex(cc.nodeId), ...(member !== undefined ? { context: member } : {}) } },
    };
  }
  if (e.type === EntryType.EntryConfChangeV2) {
    const cc = decodeConfChangeV2(e.data ?? new Uint8Array(0));
    const changes = cc.changes.map((c) => ({ type: ConfChangeType[c.type] ?? String(c.type), nodeID: idHex(c.nodeId) }));
    const member = memberContext(cc.context);
    const transition = ConfChangeTransition[cc.transition] ?? String(cc.transition);
    return {
      short: 'conf2',
      summary: `${transition} ${changes.map((c) => `${c.type}(${c.nodeID})`).join(' ') || 'leave-joint'}${member ? ' ' + JSON.stringify(member) : ''}`,
      json: { confChangeV2: { transition, changes, ...(member !== undefined ? { context: member } : {}) } },
    };
  }
  if (!e.data || e.data.length === 0) return { short: 'norm', summary: '(empty: leader no-op)', json: { kind: 'empty' } };
  return { short: 'norm', summary: `${e.data.length} bytes`, json: {} };
}
