/**
 * `walt restore --out-data-dir DIR`: a data dir of one member that etcd starts
 * on directly, made as `etcdctl snapshot restore` makes one from a snapshot
 * file (3.4 clientv3/snapshot v3_snapshot.go saveDB and saveWALAndSnap):
 *
 * - a new member, its ID the first 8 bytes (big-endian) of the SHA-1 of its
 *   sorted peer URLs and the cluster token (membership.NewMember without a
 *   time), and a cluster ID from the SHA-1 of the member IDs (genID);
 * - member/snap/db: the restored backend, with the new member only and
 *   consistent_index 1, the one entry below;
 * - member/snap/0000000000000001-0000000000000001.snap: a v2 store holding the
 *   member's raft attributes, at index 1 and term 1, voters [the member];
 * - member/wal: metadata {member, cluster}, the entry adding the member (index
 *   1, term 1), a hard state {term 1, vote the member, commit 1}, and the
 *   snapshot record of index 1.
 *
 * It is built beside DIR and renamed into place, so DIR appears whole or not at all.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDir, writeFileAtomic } from '../codec/atomic-file.js';
import { encodeSnapFile, snapName } from '../codec/snap-file.js';
import { WalWriter } from '../codec/wal-writer.js';
import { encodeMetadata } from '../codec/proto/metadata.js';
import { ConfChangeType, EntryType, encodeConfChange } from '../codec/proto/raftpb.js';
import { V2Store } from '../state/v2store.js';
import { writeBackend, type BackendWriteSummary } from '../state/backend-writer.js';
import { keptRevisions } from '../state/kept-revisions.js';
import { idString, memberJson } from '../state/membership.js';
import { v2StoreJson } from '../state/v2store-save.js';
import type { Restored } from './restore.js';

export interface NewMember {
  name: string;
  peerURLs: string[];
  /** --initial-cluster-token: a different token makes different IDs. */
  clusterToken: string;
  /** etcd's --bcrypt-cost, for passwords etcd 3.4's log holds in clear text. */
  bcryptCost?: number;
}

export interface DataDirWritten {
  memberId: bigint;
  clusterId: bigint;
  backend: BackendWriteSummary;
}

const sha1u64 = (b: Buffer): bigint => createHash('sha1').update(b).digest().readBigUInt64BE(0);

/** membership.NewMember's ID, with no time mixed in (as snapshot restore calls it). */
export function newMemberId(peerURLs: string[], clusterToken: string): bigint {
  return sha1u64(Buffer.from([...peerURLs].sort().join('') + clusterToken));
}

/** RaftCluster.genID: the SHA-1 of the sorted member IDs, each 8 bytes big-endian. */
export function newClusterId(memberIds: bigint[]): bigint {
  const b = Buffer.alloc(8 * memberIds.length);
  [...memberIds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).forEach((id, i) => b.writeBigUInt64BE(id, 8 * i));
  return sha1u64(b);
}

/** Writes the data dir at `dir`, which must not exist. */
export function writeDataDir(r: Restored, dir: string, m: NewMember): DataDirWritten {
  const id = newMemberId(m.peerURLs, m.clusterToken);
  const clusterId = newClusterId([id]);
  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.tmp-walt`);
  const snapDir = join(tmp, 'member', 'snap');
  const walDir = join(tmp, 'member', 'wal');
  const member = { id, name: m.name, peerURLs: m.peerURLs, clientURLs: [], isLearner: false };
  mkdirSync(snapDir, { recursive: true, mode: 0o700 });
  try {
    const backend = writeBackend(join(snapDir, 'db'), r.state, keptRevisions(r.state.store), {
      consistentIndex: 1n,
      sha256Trailer: false,
      newMembers: [member],
      bcryptCost: m.bcryptCost,
    });
    const v2 = new V2Store();
    v2.create(`/0/members/${idString(id)}/raftAttributes`, false, JSON.stringify({ peerURLs: m.peerURLs }), false, 0n);
    const confState = { voters: [id], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    writeFileAtomic(join(snapDir, snapName(1n, 1n)), [encodeSnapFile({ data: v2StoreJson(v2), metadata: { confState, index: 1n, term: 1n } })]);
    const wal = WalWriter.create(walDir, encodeMetadata({ nodeId: id, clusterId }));
    const add = encodeConfChange({ id: 0n, type: ConfChangeType.ConfChangeAddNode, nodeId: id, context: Buffer.from(memberJson(member)) });
    wal.save({ term: 1n, vote: id, commit: 1n }, [{ index: 1n, term: 1n, type: EntryType.EntryConfChange, data: add }]);
    wal.saveSnapshot({ index: 1n, term: 1n });
    wal.close();
    renameSync(tmp, dir);
    fsyncDir(dirname(dir));
    return { memberId: id, clusterId, backend };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
