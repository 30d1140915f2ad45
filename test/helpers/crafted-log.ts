/**
 * A single member's data dir whose WAL holds the entries a test chose, for
 * asking real etcd what it makes of a log: etcd started on a WAL without a
 * backend applies every committed entry from index 1 (etcdserver/server.go
 * restartNode, then applyAll with consistent index 0), with its own
 * version's rules. The first entry adds the member, as a new cluster's log
 * starts; the hard state commits every entry.
 */
import { join } from 'node:path';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { encodeMetadata } from '../../src/codec/proto/metadata.js';
import { ConfChangeType, encodeConfChange, EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { Msg } from '../../src/codec/proto/message.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import type { MemberSpec } from './etcd.js';

export const CRAFTED_MEMBER = 0x5a17n;
export const CRAFTED_CLUSTER = 0xc1a5n;

/** The member a crafted log adds: started with these name and ports. */
export const CRAFTED: MemberSpec = {
  name: 'crafted',
  clientPort: 23791,
  peerPort: 23801,
  initialCluster: 'crafted=http://127.0.0.1:23801',
  token: 'walt-crafted',
  flags: ['--enable-v2=true', '--auto-compaction-retention', '0'],
};

/** Writes `requests` (InternalRaftRequest bodies; header.ID numbered from 1 where absent) after the member's own add, committed. */
export function writeCraftedLog(dataDir: string, requests: Msg[]): void {
  const term = 2n;
  const member = `{"id":${CRAFTED_MEMBER},"peerURLs":["http://127.0.0.1:${CRAFTED.peerPort}"],"name":"${CRAFTED.name}"}`;
  const entries: Entry[] = [{ index: 1n, term: 1n, type: EntryType.EntryConfChange, data: encodeConfChange({ id: 1n, type: ConfChangeType.ConfChangeAddNode, nodeId: CRAFTED_MEMBER, context: Buffer.from(member) }) }];
  entries.push({ index: 2n, term, type: EntryType.EntryNormal, data: new Uint8Array() });
  for (const r of requests) {
    const index = BigInt(entries.length + 1);
    entries.push({ index, term, type: EntryType.EntryNormal, data: encodeInternalRaftRequest({ ...r, header: { ID: index, ...r.header } }) });
  }
  const w = WalWriter.create(join(dataDir, 'member', 'wal'), encodeMetadata({ nodeId: CRAFTED_MEMBER, clusterId: CRAFTED_CLUSTER }), { sync: false });
  w.save({ term, vote: CRAFTED_MEMBER, commit: entries[entries.length - 1].index }, entries);
  w.close();
}
