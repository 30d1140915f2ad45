/**
 * A large WAL for benchmarks: 1 KB puts as InternalRaftRequests, written by
 * walt's WalWriter in 64 MB segments (the interop tests show etcd reads what
 * it writes). Cached in the temp dir between runs.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalWriter } from '../src/codec/wal-writer.js';
import { encodeMetadata } from '../src/codec/proto/metadata.js';
import { ProtoWriter, WireType } from '../src/codec/proto/wire.js';
import { EntryType, type Entry } from '../src/codec/proto/raftpb.js';

/**
 * etcdserverpb.InternalRaftRequest{put{key, value}, header{ID}} by hand, to keep the benchmark free of the
 * code it measures; in the order etcd 3.4 writes them (gogo's marshaller goes by field number: put 4, header 100).
 */
function putRequest(id: bigint, key: string, value: Uint8Array): Uint8Array {
  const header = new ProtoWriter().tag(1, WireType.VARINT).uint64(id).finish();
  const put = new ProtoWriter().tag(1, WireType.LEN).string(key).tag(2, WireType.LEN).bytes(value).finish();
  return new ProtoWriter(value.length + 64).tag(4, WireType.LEN).bytes(put).tag(100, WireType.LEN).bytes(header).finish();
}

export function makeBenchWal(entries: number): string {
  const dir = join(tmpdir(), `walt-bench-${entries}`);
  if (existsSync(join(dir, 'member', 'wal'))) return dir;
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'member'), { recursive: true });
  const w = WalWriter.create(join(tmp, 'member', 'wal'), encodeMetadata({ nodeId: 0x8e9e05c52164694dn, clusterId: 0xcdf818194e3a8c32n }), { sync: false });
  const value = new Uint8Array(1024).fill(0x61);
  const batch: Entry[] = [];
  for (let i = 1; i <= entries; i++) {
    batch.push({ term: 2n, index: BigInt(i), type: EntryType.EntryNormal, data: putRequest(BigInt(i) + 0x100000n, `/bench/key-${i % 10000}`, value) });
    if (batch.length === 100 || i === entries) {
      w.save({ term: 2n, vote: 0x8e9e05c52164694dn, commit: BigInt(i) }, batch.splice(0));
    }
  }
  w.close();
  renameSync(tmp, dir);
  return dir;
}
