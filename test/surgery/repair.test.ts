/**
 * `walt repair-tail` on damaged copies of real data dirs, judged against what
 * etcd's own wal.Repair (through the oracle) leaves on another copy.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runWalt, Scratch, walOf } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { cutInsideLastRecord, cutInsideLengthField, fileBytes, flipBitMidLog, lastSegmentPath, records, zeroSectorInLastRecord } from '../helpers/corrupt.js';
import { lockHolders } from '../../src/codec/wal-lock.js';
import { decodeEntry, decodeHardState } from '../../src/codec/proto/raftpb.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');

const copyOf = (src: string) => scratch.copyOf(src);
const fresh = (what: string) => scratch.fresh(what);

/** Every file under the WAL dir with its bytes: to show that nothing changed. */
function snapshotWal(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(walOf(dir)).map((f) => [f, fileBytes(join(walOf(dir), f))]));
}

const repairJson = (...args: string[]) => {
  const r = runWalt(['repair-tail', '--json', ...args]);
  return { ...r, json: JSON.parse(r.stdout) };
};

for (const [name, damage] of [
  ['cut inside the last record', cutInsideLastRecord],
  ['cut inside the last length field', cutInsideLengthField],
  ['a zeroed sector in the last record', zeroSectorInLastRecord],
] as const) {
  test(`torn tail (${name}): the segment etcd's wal.Repair leaves, byte for byte; the original kept as .broken; a second run does nothing`, { skip: oracleSkip() }, () => {
    const mine = copyOf(single);
    damage(walOf(mine));
    const theirs = copyOf(mine);
    const seg = lastSegmentPath(walOf(mine));
    const torn = fileBytes(seg);
    const mode = statSync(seg).mode;

    const r = repairJson(mine);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.action, 'repaired');
    assert.equal(r.json.backup, `${seg}.broken`);
    const etcd = oracle('repair', walOf(theirs));
    assert.equal(etcd.repaired, true);
    assert.deepEqual(etcd.created, [`${basename(seg)}.broken`], 'etcd cut it too');

    assert.deepEqual(fileBytes(seg), fileBytes(join(walOf(theirs), basename(seg))), 'the same bytes as etcd leaves');
    assert.equal(fileBytes(seg).length, r.json.cutOffset);
    assert.deepEqual(fileBytes(`${seg}.broken`), torn, 'the backup is the torn file, whole');
    assert.equal(statSync(seg).mode, mode, 'the file mode is kept');
    assert.equal(runWalt(['verify', mine]).status, 0, 'healthy after');

    const before = snapshotWal(mine);
    const again = repairJson(mine);
    assert.equal(again.status, 0);
    assert.equal(again.json.action, 'none');
    assert.deepEqual(snapshotWal(mine), before, 'idempotent: nothing changes the second time');
    assert.match(runWalt(['repair-tail', mine]).stdout, /healthy, nothing to repair/);
  });
}

test('a healthy WAL is left untouched, byte for byte, and exit is 0', () => {
  const dir = copyOf(single);
  const before = snapshotWal(dir);
  const r = runWalt(['repair-tail', dir]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /healthy, nothing to repair.*no changes made/);
  assert.deepEqual(snapshotWal(dir), before);
});

test('--dry-run: the plan names the cut, what is dropped and that nothing committed is; nothing changes', () => {
  const dir = copyOf(single);
  const recs = records(walOf(dir));
  const last = recs[recs.length - 1];
  cutInsideLastRecord(walOf(dir));
  const before = snapshotWal(dir);
  const r = repairJson('--dry-run', dir);
  assert.equal(r.status, 0);
  assert.deepEqual(snapshotWal(dir), before, 'a dry run changes nothing');
  const p = r.json;
  assert.equal(p.action, 'would-repair');
  assert.equal(p.cutOffset, last.offset, 'cut where the torn record starts: the end of the last valid one');
  assert.equal(p.droppedBytes, before.get(basename(last.segment.path))!.length - last.offset);
  assert.equal(p.droppedRecords.length, 1);
  assert.equal(p.droppedRecords[0].complete, false);
  assert.equal(p.committedLost, false);
  const text = runWalt(['repair-tail', '--dry-run', dir]).stdout;
  assert.match(text, new RegExp(`Would cut at byte ${last.offset}`));
  assert.match(text, /No acknowledged data is lost/);
});

test('--dry-run warns when the dropped bytes were committed: an entry torn under the hard state that commits it', () => {
  const dir = copyOf(single);
  const recs = records(walOf(dir));
  const commit = decodeHardState(recs.filter((r) => r.type === 3).pop()!.data!).commit;
  const entry = recs.filter((r) => r.type === 2 && decodeEntry(r.data!).index === commit).pop()!;
  // A lost sector under that entry (its body zeroed), while the hard state written after it survives.
  const body = entry.recordBytes + entry.padBytes;
  const fd = openSync(entry.segment.path, 'r+');
  writeSync(fd, new Uint8Array(body), 0, body, entry.offset + 8);
  closeSync(fd);
  const p = repairJson('--dry-run', dir).json;
  assert.equal(p.cutOffset, entry.offset);
  assert.ok(p.droppedRecords.some((d: { hardState?: { commit: number } }) => BigInt(d.hardState?.commit ?? -1) === commit), 'the committing hard state is framed and decoded');
  assert.equal(p.committedLost, true);
  assert.equal(BigInt(p.droppedCommit), commit);
  assert.match(runWalt(['repair-tail', '--dry-run', dir]).stdout, /Committed data is lost/);
});

test('an existing .broken is never overwritten; --backup-dir keeps the original elsewhere', () => {
  const dir = copyOf(single);
  cutInsideLastRecord(walOf(dir));
  const seg = lastSegmentPath(walOf(dir));
  const torn = fileBytes(seg);
  writeFileSync(`${seg}.broken`, 'an earlier backup');
  const r = repairJson(dir);
  assert.equal(r.json.backup, `${seg}.broken.1`);
  assert.equal(fileBytes(`${seg}.broken`).toString(), 'an earlier backup');
  assert.deepEqual(fileBytes(`${seg}.broken.1`), torn);

  const other = copyOf(single);
  zeroSectorInLastRecord(walOf(other));
  const keep = fresh('backups');
  const b = repairJson('--backup-dir', keep, other);
  assert.equal(b.json.backup, join(keep, `${basename(seg)}.broken`));
  assert.ok(existsSync(b.json.backup));
  assert.ok(!existsSync(`${lastSegmentPath(walOf(other))}.broken`));
});

test('a CRC mismatch mid-log is refused with the file and offset and advice; nothing changes', () => {
  const dir = copyOf(single);
  const rec = flipBitMidLog(walOf(dir));
  const before = snapshotWal(dir);
  const r = runWalt(['repair-tail', dir]);
  assert.equal(r.status, 1);
  const [first, ...advice] = r.stderr.trim().split('\n');
  assert.match(first, new RegExp(`^walt: ${rec.segment.path} at byte ${rec.offset}: not a torn tail`));
  assert.ok(advice.length >= 1 && advice.length <= 2, r.stderr);
  assert.match(r.stderr, /snapshot|remove it and add it back/);
  assert.deepEqual(snapshotWal(dir), before);
  const j = repairJson(dir).json;
  assert.equal(j.action, 'refused');
  assert.equal(j.refusal.code, 'CRC_MISMATCH');
  assert.equal(j.refusal.offset, rec.offset);
});

test('a WAL locked by a running process is refused, naming the pid', { skip: existsSync('/usr/bin/flock') ? false : 'needs flock (util-linux)' }, async () => {
  const dir = copyOf(single);
  cutInsideLastRecord(walOf(dir));
  const seg = lastSegmentPath(walOf(dir));
  // flock(1) holds an exclusive flock while its child runs, as etcd holds its segments.
  const holder = spawn('flock', ['-x', seg, 'sleep', '30'], { detached: true, stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && lockHolders([seg]).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const before = snapshotWal(dir);
    const r = runWalt(['repair-tail', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${seg}: flock \\(pid ${holder.pid}\\) holds an FLOCK lock`));
    assert.deepEqual(snapshotWal(dir), before);
    assert.equal(repairJson(dir).json.refusal.pid, holder.pid);
  } finally {
    process.kill(-holder.pid!, 'SIGTERM'); // flock and its sleep, the group we started
  }
});

test('usage errors exit 2', () => {
  assert.equal(runWalt(['repair-tail']).status, 2);
  assert.equal(runWalt(['repair-tail', '/nonexistent/etcd']).status, 2);
  assert.match(runWalt(['repair-tail', '--help']).stdout, /Examples:/);
});
