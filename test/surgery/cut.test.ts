/**
 * `walt cut` on copies of real data dirs: etcd's own ReadAll (through the
 * oracle) must read the same entries and hard state from the output as from
 * the source (or the expected prefix, for --drop-after), walt verify must
 * pass, and segment names must follow etcd's rules.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWalt, type OracleReadAll, Scratch, walOf } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { fileBytes, records } from '../helpers/corrupt.js';
import { listSegments, walName } from '../../src/codec/segment-name.js';
import { WalWriter } from '../../src/codec/wal-writer.js';
import { RecordType } from '../../src/codec/proto/walpb.js';
import { decodeHardState } from '../../src/codec/proto/raftpb.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');
const cluster = scratch.unpack('cluster3');

const copyOf = (src: string) => scratch.copyOf(src);
const fresh = (what: string) => scratch.fresh(what);

/** Every file of a data dir with its bytes. */
function tree(dir: string, out = new Map<string, Buffer>(), prefix = ''): Map<string, Buffer> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, out, `${prefix}${e.name}/`);
    else out.set(prefix + e.name, fileBytes(p));
  }
  return out;
}

const readAll = (dir: string, from0 = false): OracleReadAll => oracle('readall', dir, ...(from0 ? ['--start-index', '0', '--start-term', '0'] : []));

/** etcd reads the output exactly as the source: from the snapshot it would load, and from index 0. */
function assertSameForEtcd(src: string, out: string): void {
  for (const from0 of [false, true]) {
    const [a, b] = [readAll(src, from0), readAll(out, from0)];
    assert.deepEqual(b, a, `etcd's ReadAll${from0 ? ' from index 0' : ''} of ${out}`);
  }
}

const dumpEntries = (dir: string) =>
  runWalt(['dump', '--format', 'ndjson', dir])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.record === 'entry')
    .map(({ index, term, type, data }) => ({ index, term, type, data }));

const cut = (...args: string[]) => {
  const r = runWalt(['cut', '--json', ...args]);
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
};

test('--at-index N: a new segment after entry N, opening as etcd’s cut() opens one; the log reads the same', { skip: oracleSkip() }, () => {
  const src = copyOf(single);
  const before = tree(src);
  const entries = readAll(src, true).entries;
  const at = BigInt(entries[Math.floor(entries.length * 0.6)].index);
  const out = fresh('out');
  const r = cut('--at-index', String(at), '--out', out, src);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(tree(src), before, 'the source is untouched');

  const segs = listSegments(walOf(out));
  assert.deepEqual(
    segs.map((s) => s.name),
    [walName(0n, 0n), walName(1n, at + 1n)],
  );
  // The first segment is the source's, up to the end of the save that holds entry N.
  const first = fileBytes(segs[0].path);
  assert.deepEqual(first, fileBytes(listSegments(walOf(src))[0].path).subarray(0, first.length));
  // The new one: crc (the running CRC), metadata, the last hard state before the cut.
  const recs = records(walOf(out));
  const lastOfFirst = recs.filter((x) => x.segment.name === segs[0].name).pop()!;
  const head = recs.filter((x) => x.segment.name === segs[1].name).slice(0, 3);
  assert.deepEqual(head.map((x) => x.type), [RecordType.crc, RecordType.metadata, RecordType.state]);
  assert.equal(head[0].crc, lastOfFirst.computedCrc);
  assert.deepEqual(head[1].data, recs[1].data, 'the same metadata');
  const lastState = recs.filter((x) => x.type === RecordType.state && x.segment.name === segs[0].name).pop()!;
  assert.deepEqual(head[2].data, lastState.data);
  assert.ok(recs.filter((x) => x.segment.name === segs[1].name && x.type === RecordType.entry).every((x) => x.crcOk));

  assertSameForEtcd(src, out);
  assert.deepEqual(dumpEntries(out), dumpEntries(src), 'walt dump shows the same entries');
  assert.equal(runWalt(['verify', out]).status, 0);

  // Cutting the output where it already has a boundary changes nothing.
  const again = cut('--at-index', String(at), '--in-place', out);
  assert.equal(again.json.action, 'none');
  assert.equal(listSegments(walOf(out)).length, 2);
});

test('--segment-bytes 16K: several segments of at most 16K (a bigger record alone), contiguous and named as etcd names them', { skip: oracleSkip() }, () => {
  const src = copyOf(single);
  const out = fresh('out');
  const r = cut('--segment-bytes', '16K', '--out', out, src);
  assert.equal(r.status, 0, r.stderr);
  const segs = listSegments(walOf(out));
  assert.ok(segs.length >= 4, `${segs.length} segments`);
  segs.forEach((s, i) => assert.equal(s.seq, BigInt(i), 'sequence numbers from 0, contiguous'));
  const recs = records(walOf(out));
  for (const [i, s] of segs.entries()) {
    const mine = recs.filter((x) => x.segment.name === s.name);
    const size = statSync(s.path).size;
    const entries = mine.filter((x) => x.type === RecordType.entry);
    if (i > 0) assert.deepEqual(mine.slice(0, 2).map((x) => x.type), [RecordType.crc, RecordType.metadata]);
    if (size > 16384) {
      assert.equal(mine.length - (mine[2]?.type === RecordType.state ? 3 : 2), 1, `${s.name} is over 16K with one record after its header`);
      assert.ok(r.json.notes.some((t: string) => t.includes(s.name)), 'and the output says so');
    }
    if (i > 0 && entries.length) assert.equal(r.json.segments[i].firstEntry, Number(s.index), `${s.name}: named for its first entry`);
  }
  assertSameForEtcd(src, out);
  assert.equal(runWalt(['verify', out]).status, 0);

  // And back into one 64 MB segment: etcd's original file, byte for byte.
  const back = fresh('back');
  assert.equal(cut('--segment-bytes', '64MB', '--out', back, out).status, 0);
  assert.deepEqual(tree(walOf(back)), tree(walOf(src)));
});

test('--segment-bytes on every member of cluster3, one that joined from a leader snapshot included', { skip: oracleSkip() }, () => {
  for (const m of ['m1', 'm2', 'm3', 'm4']) {
    const out = fresh(`c3${m}`);
    const r = cut('--segment-bytes', '2K', '--out', out, join(cluster, m));
    assert.equal(r.status, 0, `${m}: ${r.stderr}`);
    assert.ok(listSegments(walOf(out)).length > 1);
    assertSameForEtcd(join(cluster, m), out);
  }
});

test('a purged WAL, whose first segment is not the first ever written, keeps that segment’s name and header', { skip: oracleSkip() }, () => {
  // Made as etcd's purge leaves one: a segment boundary below every .snap, then the segment before it removed.
  const snaps = readdirSync(join(single, 'member', 'snap')).filter((f) => f.endsWith('.snap'));
  const oldest = snaps.map((f) => BigInt('0x' + f.slice(17, 33))).reduce((a, b) => (a < b ? a : b));
  const purged = fresh('purged');
  assert.equal(cut('--at-index', String(oldest - 10n), '--out', purged, single).status, 0);
  const [gone, kept] = listSegments(walOf(purged));
  rmSync(gone.path);
  assert.equal(readAll(purged).error, '', 'etcd reads it');

  const out = fresh('out');
  const r = cut('--segment-bytes', '4K', '--out', out, purged);
  assert.equal(r.status, 0, r.stderr);
  const segs = listSegments(walOf(out));
  assert.equal(segs[0].name, kept.name);
  const [a, b] = [records(walOf(purged)), records(walOf(out))];
  assert.deepEqual(b.slice(0, 3).map((x) => [x.type, x.crc, x.data]), a.slice(0, 3).map((x) => [x.type, x.crc, x.data]), 'crc (the value the purged segments left), metadata, state');
  assertSameForEtcd(purged, out);
  const back = fresh('back');
  assert.equal(cut('--segment-bytes', '64MB', '--out', back, out).status, 0);
  assert.deepEqual(tree(walOf(back)), tree(walOf(purged)));
});

test('--drop-after N refuses to drop committed entries; --force drops them and lowers the commit to N', { skip: oracleSkip() }, () => {
  const src = copyOf(single);
  const whole = readAll(src, true);
  const commit = BigInt(whole.hardState.commit);
  const keep = commit - 30n;
  const out = fresh('out');
  const refused = runWalt(['cut', '--drop-after', String(keep), '--out', out, src]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, new RegExp(`drops 30 committed entries \\(${keep + 1n}–${commit}`));
  assert.ok(!existsSync(out), 'nothing written');

  const r = runWalt(['cut', '--drop-after', String(keep), '--force', '--out', out, src]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`of which 30 committed \\(${keep + 1n}–${commit}\\)`));
  const after0 = readAll(out, true);
  assert.equal(after0.error, '');
  assert.deepEqual(after0.entries, whole.entries.filter((e) => BigInt(e.index) <= keep), 'the entries up to N');
  assert.deepEqual(after0.hardState, { ...whole.hardState, commit: String(keep) }, 'term and vote kept, commit lowered');
  assert.equal(readAll(out).error, '', 'etcd starts reading it from a snapshot at or below N');
  assert.equal(runWalt(['verify', out]).status, 0);
});

test('--drop-after N drops an uncommitted tail without --force, and nothing else', { skip: oracleSkip() }, () => {
  // A log whose last entries are not committed: the --force output at N, plus three entries after N under a hard state committing N.
  const src = copyOf(single);
  const whole = readAll(src, true);
  const keep = BigInt(whole.hardState.commit) - 10n;
  const base = fresh('base');
  assert.equal(runWalt(['cut', '--drop-after', String(keep), '--force', '--out', base, src]).status, 0);
  const tail = copyOf(base);
  const recs = records(walOf(tail));
  const st = decodeHardState(recs.filter((x) => x.type === RecordType.state).pop()!.data!);
  const segs = listSegments(walOf(tail));
  const w = WalWriter.resume(walOf(tail), recs[1].data!, st, segs[segs.length - 1].seq + 1n, keep, recs[recs.length - 1].computedCrc, { sync: false });
  const more = whole.entries.filter((e) => BigInt(e.index) > keep).slice(0, 3);
  w.save(st, more.map((e) => ({ index: BigInt(e.index), term: BigInt(e.term), type: 0, data: Buffer.from(e.data!, 'base64') })));
  w.close();
  assert.equal(readAll(tail, true).entries.length, whole.entries.filter((e) => BigInt(e.index) <= keep).length + 3);

  const out = fresh('out');
  const r = cut('--drop-after', String(keep), '--out', out, tail);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.dropped.entries, 3);
  assert.equal(r.json.dropped.committed, 0);
  assert.deepEqual(tree(walOf(out)), tree(walOf(base)), 'exactly the log before the uncommitted entries were added');
});

test('--in-place: the old WAL kept whole as the backup, the new one read the same by etcd', { skip: oracleSkip() }, () => {
  const src = copyOf(single);
  const dir = copyOf(single);
  const oldWal = tree(walOf(dir));
  const r = cut('--segment-bytes', '32K', '--in-place', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.json.backup, /member\/wal\.walt-backup-\d{8}T\d{6}Z$/);
  assert.deepEqual(tree(r.json.backup), oldWal);
  assert.ok(listSegments(walOf(dir)).length > 1);
  assert.deepEqual(readdirSync(join(dir, 'member')).sort(), ['snap', 'wal', r.json.backup.split('/').pop()].sort(), 'no temp dir left');
  assertSameForEtcd(src, dir);

  const elsewhere = fresh('backups');
  const b = cut('--segment-bytes', '64MB', '--in-place', '--backup-dir', elsewhere, dir);
  assert.equal(b.status, 0, b.stderr);
  assert.ok(b.json.backup.startsWith(elsewhere));
  assert.deepEqual(tree(walOf(dir)), tree(walOf(src)), 'back to the original bytes');
});

test('--dry-run plans and changes nothing; refusals change nothing either', () => {
  const dir = copyOf(single);
  const before = tree(dir);
  const out = fresh('out');
  const r = cut('--segment-bytes', '16K', '--dry-run', '--out', out, dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.action, 'would-write');
  assert.ok(r.json.segments.length > 1);
  assert.ok(!existsSync(out));
  assert.equal(cut('--segment-bytes', '16K', '--dry-run', '--in-place', dir).json.action, 'would-write');
  assert.deepEqual(tree(dir), before);

  mkdirSync(out);
  writeFileSync(join(out, 'something'), 'x');
  const busy = runWalt(['cut', '--segment-bytes', '16K', '--out', out, dir]);
  assert.equal(busy.status, 1);
  assert.match(busy.stderr, new RegExp(`^walt: ${out}: exists and is not empty`));
  const beyond = runWalt(['cut', '--at-index', '999999', '--in-place', dir]);
  assert.equal(beyond.status, 1);
  assert.match(beyond.stderr, /no entry 999999 to cut at/);
  assert.deepEqual(tree(dir), before);
});

test('a damaged WAL is refused: a torn tail with the advice to repair it first', () => {
  const dir = copyOf(single);
  const seg = listSegments(walOf(dir)).pop()!;
  const recs = records(walOf(dir));
  writeFileSync(seg.path, fileBytes(seg.path).subarray(0, recs[recs.length - 1].offset + 12));
  const r = runWalt(['cut', '--segment-bytes', '16K', '--out', fresh('out'), dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^walt: ${seg.path} at byte ${recs[recs.length - 1].offset}: walt cut rewrites only a healthy WAL`));
  assert.match(r.stderr, /walt repair-tail/);
});

test('usage errors exit 2', () => {
  const dir = single;
  for (const args of [
    ['--out', '/tmp/x'],
    ['--at-index', '5', '--segment-bytes', '16K', '--out', '/tmp/x'],
    ['--at-index', '5'],
    ['--at-index', '5', '--out', '/tmp/x', '--in-place'],
    ['--segment-bytes', '16Q', '--out', '/tmp/x'],
    ['--segment-bytes', '100', '--out', '/tmp/x'],
    ['--at-index', '5', '--force', '--out', '/tmp/x'],
  ]) {
    const r = runWalt(['cut', ...args, dir]);
    assert.equal(r.status, 2, args.join(' '));
    assert.ok(r.stderr.length > 0);
  }
  assert.match(runWalt(['cut', '--help']).stdout, /Examples:/);
});
