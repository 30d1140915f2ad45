/**
 * Raft throughput: proposals driven through propose → Ready (persist to
 * MemoryStorage, deliver messages, apply committed entries) → advance, the way
 * etcd's node benchmark does, for one node and for three nodes over an
 * in-memory transport. Proposals are batched: a Ready is handled every
 * BATCH proposals (and once with BATCH = 1 as the worst case).
 */
import { performance } from 'node:perf_hooks';
import type { Message } from '../../src/codec/proto/raftpb.js';
import { MemoryStorage, RawNode, StateType } from '../../src/raft/index.js';

const BATCH = 32;
const PAYLOAD = new Uint8Array(32);

interface BenchNode {
  rn: RawNode;
  storage: MemoryStorage;
  committed: number;
}

function newNode(id: bigint, voters: bigint[]): BenchNode {
  const storage = new MemoryStorage();
  storage.applySnapshot({
    data: undefined,
    metadata: { index: 1n, term: 1n, confState: { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  });
  const rn = new RawNode({ id, electionTick: 10, heartbeatTick: 1, storage, maxSizePerMsg: 1 << 20, maxInflightMsgs: 256 });
  return { rn, storage, committed: 0 };
}

/** Persists, collects messages and "applies" (counts) committed entries until the node has nothing left. */
function handleReady(n: BenchNode, out: Message[]): void {
  while (n.rn.hasReady()) {
    const rd = n.rn.ready();
    n.storage.append(rd.entries);
    if (rd.hardState !== undefined) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) out.push(m);
    n.committed += rd.committedEntries.length;
    n.rn.advance(rd);
  }
}

/**
 * Runs Readys and delivers messages until the cluster is quiet. Like etcd's
 * node loop, a node steps everything that arrived while the application was
 * busy and then hands it all over in one Ready.
 */
function pump(nodes: Map<bigint, BenchNode>): void {
  let msgs: Message[] = [];
  for (const n of nodes.values()) handleReady(n, msgs);
  while (msgs.length > 0) {
    const next: Message[] = [];
    for (const [id, n] of nodes) {
      let stepped = false;
      for (const m of msgs) {
        if (m.to !== id) continue;
        n.rn.step(m);
        stepped = true;
      }
      if (stepped) handleReady(n, next);
    }
    msgs = next;
  }
}

function cluster(size: number): { nodes: Map<bigint, BenchNode>; leader: BenchNode } {
  const ids = Array.from({ length: size }, (_, i) => BigInt(i + 1));
  const nodes = new Map(ids.map((id) => [id, newNode(id, ids)]));
  const leader = nodes.get(1n)!;
  leader.rn.campaign();
  pump(nodes);
  if (leader.rn.raft.state !== StateType.Leader) throw new Error('node 1 did not become leader');
  return { nodes, leader };
}

/** µs per proposal for `proposals` proposals, handling Readys every `batch` proposals. */
function run(size: number, proposals: number, batch: number): number {
  const { nodes, leader } = cluster(size);
  const before = leader.committed;
  const start = performance.now();
  for (let i = 0; i < proposals; i++) {
    leader.rn.propose(PAYLOAD);
    if ((i + 1) % batch === 0) pump(nodes);
  }
  pump(nodes);
  const us = ((performance.now() - start) * 1000) / proposals;
  for (const n of nodes.values()) {
    if (n.committed - (n === leader ? before : 0) < proposals) throw new Error(`node ${n.rn.raft.id} committed only ${n.committed}`);
  }
  return us;
}

/** The best of a few runs: the machine may be shared, and noise only ever adds time. */
function best(size: number, proposals: number, batch: number): number {
  let min = Infinity;
  for (let i = 0; i < 5; i++) min = Math.min(min, run(size, proposals, batch));
  return Math.round(min * 100) / 100;
}

export async function benchRaft(): Promise<Record<string, number>> {
  // Warm up the JIT on both paths before measuring.
  run(1, 20_000, BATCH);
  run(3, 20_000, BATCH);
  const results: Record<string, number> = {
    raft_single_node_us_per_proposal: best(1, 100_000, BATCH),
    raft_three_nodes_us_per_proposal: best(3, 50_000, BATCH),
    raft_single_node_unbatched_us_per_proposal: best(1, 20_000, 1),
    raft_three_nodes_unbatched_us_per_proposal: best(3, 10_000, 1),
  };
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(48)} ${v.toFixed(2)} µs`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchRaft();
}
