/**
 * etcd's quorum tests as data (raft/quorum/testdata/*.txt), run through
 * walt's quorum package by a port of etcd's driver (quorum/datadriven_test.go):
 * every directive's output must equal the file's, byte for byte.
 */
import assert from 'node:assert/strict';
import { JointConfig } from '../../src/raft/quorum/joint.js';
import { MajorityConfig } from '../../src/raft/quorum/majority.js';
import { MAX_INDEX, VoteResult, type AckedIndexer } from '../../src/raft/quorum/quorum.js';
import { asActual, type TestData } from './rafttest/datadriven.js';
import { eachTestDataFile } from './rafttest/etcd-sources.js';

/** quorum.Index's String: the empty majority's MaxUint64 commits "∞". */
const indexString = (i: bigint): string => (i === MAX_INDEX ? '∞' : i.toString());

class MapAckIndexer extends Map<bigint, bigint> implements AckedIndexer {
  ackedIndex(id: bigint): bigint | undefined {
    return this.get(id);
  }
}

/** MajorityConfig.Describe (quorum/majority.go): each voter's index with a bar by its rank. */
function describeMajority(c: MajorityConfig, l: AckedIndexer): string {
  if (c.size === 0) return '<empty majority quorum>';
  const n = c.size;
  const info = [...c].map((id) => {
    const idx = l.ackedIndex(id);
    return { id, idx: idx ?? 0n, ok: idx !== undefined, bar: 0 };
  });
  const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
  info.sort((a, b) => cmp(a.idx, b.idx) || cmp(a.id, b.id));
  for (let i = 1; i < info.length; i++) if (info[i - 1].idx < info[i].idx) info[i].bar = i;
  info.sort((a, b) => cmp(a.id, b.id));
  let s = `${' '.repeat(n)}    idx\n`;
  for (const t of info) {
    s += t.ok ? `${'x'.repeat(t.bar)}>${' '.repeat(n - t.bar)}` : `?${' '.repeat(n)}`;
    s += ` ${indexString(t.idx).padStart(5)}    (id=${t.id})\n`;
  }
  return s;
}

/** alternativeMajorityCommittedIndex (quorum/quick_test.go): the highest index a quorum has acked or passed. */
function alternativeCommitted(c: MajorityConfig, l: AckedIndexer): bigint {
  if (c.size === 0) return MAX_INDEX;
  const idxs: bigint[] = [];
  for (const id of c) {
    const idx = l.ackedIndex(id);
    if (idx !== undefined) idxs.push(idx);
  }
  const q = Math.floor(c.size / 2) + 1;
  let best = 0n;
  for (const idx of idxs) if (idxs.filter((o) => o >= idx).length >= q && idx > best) best = idx;
  return best;
}

function run(d: TestData): string {
  let joint = false;
  const ids: bigint[] = [];
  const idsj: bigint[] = [];
  const idxs: bigint[] = [];
  const votes: bigint[] = [];
  for (const arg of d.cmdArgs) {
    for (const v of arg.vals) {
      switch (arg.key) {
        case 'cfg':
          ids.push(BigInt(v));
          break;
        case 'cfgj':
          joint = true;
          if (v !== 'zero') idsj.push(BigInt(v));
          break;
        case 'idx':
          // "_" is a voter with no index, told apart from 0 (which files may not use).
          idxs.push(v === '_' ? 0n : BigInt(v));
          break;
        case 'votes':
          votes.push(v === 'y' ? 2n : v === 'n' ? 1n : v === '_' ? 0n : assert.fail(`${d.pos}: unknown vote ${v}`));
          break;
        default:
          assert.fail(`${d.pos}: unknown arg ${arg.key}`);
      }
    }
  }
  const c = new MajorityConfig(ids);
  const cj = new MajorityConfig(idsj);
  // The given values go to the distinct IDs of cfg then cfgj, in order; "_" leaves one out.
  const lookuper = (vals: bigint[]): MapAckIndexer => {
    const l = new MapAckIndexer();
    let p = 0;
    for (const id of [...ids, ...idsj]) if (!l.has(id) && p < vals.length) l.set(id, vals[p++]);
    for (const [id, v] of l) if (v === 0n) l.delete(id);
    return l;
  };
  const input = d.cmd === 'vote' ? votes : idxs;
  const voters = [...new JointConfig(c, cj).ids()];
  if (voters.length !== input.length) {
    // Go prints the voter set (a map) and the input with %v.
    return `error: mismatched input (explicit or _) for voters map[${voters.map((id) => `${id}:{}`).join(' ')}]: [${input.join(' ')}]`;
  }
  let buf = '';
  switch (d.cmd) {
    case 'committed': {
      const l = lookuper(idxs);
      if (!joint) {
        const idx = c.committedIndex(l);
        buf += describeMajority(c, l);
        const alt = alternativeCommitted(c, l);
        if (alt !== idx) buf += `${indexString(alt)} <-- via alternative computation\n`;
        const zeroJoint = new JointConfig(c, new MajorityConfig()).committedIndex(l);
        if (zeroJoint !== idx) buf += `${indexString(zeroJoint)} <-- via zero-joint quorum\n`;
        const selfJoint = new JointConfig(c, c).committedIndex(l);
        if (selfJoint !== idx) buf += `${indexString(selfJoint)} <-- via self-joint quorum\n`;
        // Lowering an index that is below the committed one must not change it.
        const overlay = (id: bigint, to: bigint): MapAckIndexer => {
          const ll = new MapAckIndexer();
          for (const iid of c) {
            const v = iid === id ? to : l.ackedIndex(iid);
            if (v !== undefined) ll.set(iid, v);
          }
          return ll;
        };
        for (const id of c) {
          const iidx = l.ackedIndex(id) ?? 0n;
          if (idx > iidx && iidx > 0n) {
            const a = c.committedIndex(overlay(id, iidx - 1n));
            if (a !== idx) buf += `${indexString(a)} <-- overlaying ${id}->${iidx}`;
            const b = c.committedIndex(overlay(id, 0n));
            if (b !== idx) buf += `${indexString(b)} <-- overlaying ${id}->0`;
          }
        }
        buf += `${indexString(idx)}\n`;
      } else {
        const cc = new JointConfig(c, cj);
        buf += describeMajority(new MajorityConfig(cc.ids()), l);
        const idx = cc.committedIndex(l);
        const sym = new JointConfig(cj, c).committedIndex(l);
        if (sym !== idx) buf += `${indexString(sym)} <-- via symmetry\n`;
        buf += `${indexString(idx)}\n`;
      }
      break;
    }
    case 'vote': {
      const l = new Map<bigint, boolean>();
      for (const [id, v] of lookuper(votes)) l.set(id, v !== 1n);
      if (!joint) {
        buf += `${VoteResult[c.voteResult(l)]}\n`;
      } else {
        const r = new JointConfig(c, cj).voteResult(l);
        const ar = new JointConfig(cj, c).voteResult(l);
        if (ar !== r) buf += `${VoteResult[ar]} <-- via symmetry\n`;
        buf += `${VoteResult[r]}\n`;
      }
      break;
    }
    default:
      assert.fail(`${d.pos}: unknown command ${d.cmd}`);
  }
  return buf;
}

eachTestDataFile('quorum/testdata', (directives) => {
  for (const d of directives) assert.equal(asActual(run(d)), d.expected, `${d.pos}: ${d.cmd}`);
});
