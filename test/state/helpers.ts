/**
 * Helpers for the state tests: replaying a real data dir from index 1, reading
 * etcdctl's JSON (whose IDs exceed 2^53), building entries for unit tests, and
 * the bbolt oracle (real bbolt, built from Debian's Go sources when present).
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { encodeInternalRaftRequest, encodeV2Request } from '../../src/codec/proto/etcdserverpb.js';
import { encodeConfChange, EntryType, type ConfChangeType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { Msg } from '../../src/codec/proto/message.js';
import { dumpEntries, planDump, type DumpPlan } from '../../src/report/dump.js';
import { EtcdState, type ApplyResult, type EtcdStateOptions } from '../../src/state/apply.js';
import { repoRoot } from '../helpers/fixtures.js';
import { goProgram } from '../helpers/oracle.js';

export interface Replayed {
  state: EtcdState;
  plan: DumpPlan;
  results: ApplyResult[];
}

/** Applies every entry of the data dir from index 1, as a member restarted with an empty backend would. */
export function replayDataDir(dir: string, opts: EtcdStateOptions = {}, upTo?: bigint): Replayed {
  const plan = planDump(resolveDataDir(dir), 1n);
  const state = new EtcdState({ clusterId: plan.scan.metadata?.clusterId, memberId: plan.scan.metadata?.nodeId, ...opts });
  const results: ApplyResult[] = [];
  for (const { entry } of dumpEntries(plan)) {
    if (upTo !== undefined && entry.index > upTo) break;
    results.push(state.applyEntry(entry));
  }
  return { state, plan, results };
}

/** JSON.parse with integers of 16 digits or more kept as strings (etcd's IDs are uint64). */
export function parseBigJson<T = any>(text: string): T {
  return JSON.parse(text.replace(/(":\s*)(\d{16,})/g, '$1"$2"')) as T;
}

/** Builds committed entries for unit tests, numbering them from 1. */
export class EntryLog {
  private index = 0n;
  constructor(readonly term = 1n) {}

  request(m: Msg): Entry {
    return { index: ++this.index, term: this.term, type: EntryType.EntryNormal, data: encodeInternalRaftRequest({ header: { ID: this.index }, ...m }) };
  }

  v2(r: Msg): Entry {
    return { index: ++this.index, term: this.term, type: EntryType.EntryNormal, data: encodeV2Request({ ID: this.index, Dir: false, Val: '', PrevValue: '', PrevIndex: 0n, Expiration: 0n, Wait: false, Since: 0n, Recursive: false, Sorted: false, Quorum: false, Time: 0n, Stream: false, ...r }) };
  }

  confChange(type: ConfChangeType, nodeId: bigint, context?: string): Entry {
    const data = encodeConfChange({ id: this.index, type, nodeId, context: context === undefined ? undefined : Buffer.from(context) });
    return { index: ++this.index, term: this.term, type: EntryType.EntryConfChange, data };
  }
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The bbolt oracle binary, or undefined when Go or bbolt's sources are missing. */
export const bboltOracle = goProgram('bbolt-oracle', '/usr/share/gocode/src/go.etcd.io/bbolt/db.go', (out) => {
  const env = { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '-mod=mod', GOPROXY: 'off', GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'walt-oracle-gocache') };
  execFileSync('go', ['build', '-o', out, './test/state/bbolt-oracle'], { cwd: repoRoot, env, stdio: 'ignore' });
});

export const bboltOracleSkip = (): string | false => (bboltOracle() ? false : 'needs Go and Debian golang-etcd-server-dev (bbolt sources) to build the bbolt oracle');
