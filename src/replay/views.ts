/**
 * What replay-to-state prints besides the key space: the difference between
 * two points of the log, a key's history with the entries that wrote it, and
 * the leases, members and auth the state holds.
 */
import type { EtcdState, KeyValue } from '../state/index.js';
import { idHex } from '../codec/proto/metadata.js';

export interface KvDiff {
  added: KeyValue[];
  changed: Array<{ before: KeyValue; after: KeyValue }>;
  removed: KeyValue[];
}

const keyOf = (kv: KeyValue) => Buffer.from(kv.key).toString('latin1');

/** Keys added, changed (a new mod revision) and removed between two listings of a key space. */
export function diffKeySpaces(before: KeyValue[], after: KeyValue[]): KvDiff {
  const old = new Map(before.map((kv) => [keyOf(kv), kv]));
  const out: KvDiff = { added: [], changed: [], removed: [] };
  for (const kv of after) {
    const k = keyOf(kv);
    const was = old.get(k);
    if (!was) out.added.push(kv);
    else if (was.modRevision !== kv.modRevision) out.changed.push({ before: was, after: kv });
    old.delete(k);
  }
  out.removed = [...old.values()];
  return out;
}

export interface HistoryEntry {
  type: 'put' | 'delete';
  revision: bigint;
  /** The entry that wrote it, where the replay saw it (not for revisions loaded from a backend file). */
  index?: bigint;
  term?: bigint;
  kv?: KeyValue;
}

/** Records which entry made each revision, as the replay applies them. */
export class RevisionLog {
  private readonly byRevision = new Map<bigint, { index: bigint; term: bigint }>();

  note(revision: bigint | undefined, index: bigint, term: bigint): void {
    if (revision !== undefined && !this.byRevision.has(revision)) this.byRevision.set(revision, { index, term });
  }

  historyOf(state: EtcdState, key: Uint8Array): HistoryEntry[] {
    return state.history(key).map((e) => {
      const revision = e.type === 'put' ? e.kv.modRevision : e.modRevision;
      return { type: e.type, revision, ...this.byRevision.get(revision), ...(e.type === 'put' ? { kv: e.kv } : {}) };
    });
  }
}

/** The --include sections, passwords never among them. */
/** `showPasswords`: the secret policy's answer for auth's passwords. */
export function stateSections(state: EtcdState, include: Set<string>, showPasswords: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (include.has('leases')) {
    out.leases = state.lessor.list().map((l) => ({ id: idHex(l.id), ttl: l.ttl, remainingTTL: l.remainingTTL, keys: [...l.keys].map((k) => Buffer.from(k, 'latin1').toString('base64')) }));
  }
  if (include.has('members')) out.members = state.cluster.list().map((m) => ({ ...m, id: idHex(m.id) }));
  if (include.has('auth')) out.auth = state.auth.toJSON(showPasswords);
  if (include.has('rules')) out.rules = state.rules.toJSON();
  return out;
}
