/**
 * The proof that matters: real etcd starts on what walt leaves and serves
 * every key it served before (expected-get.json: keys, values, create and mod
 * revisions, versions, leases). The single fixture's data dir is torn the ways
 * crashes tear it and repaired with walt repair-tail, or rewritten by walt
 * cut, then etcd runs on it: etcd 3.4 on fixtures/single, and etcd 3.5 on
 * fixtures/etcd35/single, which 3.5 wrote. One etcd at a time, on the name
 * and URLs the fixtures were made with.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fixturesDir, runWalt, type OracleReadAll, Scratch, walOf } from '../helpers/fixtures.js';
import { oracle, oracleSkip } from '../helpers/oracle.js';
import { cutInsideLastRecord, cutInsideLengthField, lastSegmentPath, zeroSectorInLastRecord } from '../helpers/corrupt.js';
import { SINGLE, etcdSkip, kvsText, withEtcd, type MemberSpec } from '../helpers/etcd.js';
import { etcd35Bin, etcd35Skip } from '../helpers/etcd35.js';

const scratch = new Scratch();
after(() => scratch.remove());
const copyOf = (src: string) => scratch.copyOf(src);
const fresh = (what: string) => scratch.fresh(what);

const VERSIONS: Array<{ etcd: string; fixture: string; member: MemberSpec; skip: string | false }> = [
  { etcd: '3.4', fixture: 'single', member: SINGLE, skip: etcdSkip() },
  { etcd: '3.5', fixture: 'etcd35/single', member: { ...SINGLE, etcd: join(etcd35Bin, 'etcd'), etcdctl: join(etcd35Bin, 'etcdctl') }, skip: etcd35Skip() },
];

for (const { etcd: version, fixture, member, skip } of VERSIONS) {
  const single = skip ? '' : scratch.unpack(fixture);
  const expected = skip ? '' : kvsText(readFileSync(join(fixturesDir, fixture, 'expected-get.json'), 'utf8'));

  /** etcd starts on `dir`, serves the recorded key space, and (where its log is whole) takes a new write. */
  async function servesRecordedKeys(dir: string, opts: { write: boolean }): Promise<void> {
    await withEtcd(dir, member, async (etcd) => {
      assert.equal(kvsText(await etcd.getAll()), expected, 'every key as recorded: values, revisions, versions, leases');
      if (opts.write) {
        await etcd.etcdctl('put', '/walt/after-restart', 'ok');
        assert.equal((await etcd.etcdctl('get', '/walt/after-restart', '--print-value-only')).trim(), 'ok');
      }
    });
  }

  test(`etcd ${version}: while etcd runs, walt refuses to touch its WAL and names the etcd process holding the segment locks`, { skip }, async () => {
    const dir = copyOf(single);
    await withEtcd(dir, member, async (etcd) => {
      for (const args of [['repair-tail', dir], ['cut', '--segment-bytes', '16K', '--in-place', dir]]) {
        const r = runWalt(args);
        assert.equal(r.status, 1, args.join(' '));
        // etcd on Linux takes open-file-description locks (pkg/fileutil/lock_linux.go), listed without a pid.
        assert.match(r.stderr, new RegExp(`etcd \\(pid ${etcd.pid}\\) holds an (OFDLCK|FLOCK) lock on this segment`));
      }
    });
  });

  for (const [name, damage] of [
    ['cut mid-record', cutInsideLastRecord],
    ['a zeroed sector inside the last record', zeroSectorInLastRecord],
    ['cut inside a length field', cutInsideLengthField],
  ] as const) {
    test(`etcd ${version}: torn tail (${name}), walt repair-tail, etcd restarts and serves every acknowledged key`, { skip }, async () => {
      const dir = copyOf(single);
      damage(walOf(dir));
      const seg = lastSegmentPath(walOf(dir));
      const r = runWalt(['repair-tail', dir]);
      assert.equal(r.status, 0, r.stderr);
      await servesRecordedKeys(dir, { write: true });
      const broken = readdirSync(walOf(dir)).filter((f) => f.includes('.broken'));
      assert.deepEqual(broken, [`${basename(seg)}.broken`], 'etcd found nothing left to repair: the only backup is walt’s');
    });
  }

  test(`etcd ${version}: walt cut --at-index, etcd starts on the new data dir and serves every key`, { skip }, async () => {
    const out = fresh('at-index');
    const last = BigInt(JSON.parse(runWalt(['verify', '--json', single]).stdout).lastIndex);
    const r = runWalt(['cut', '--at-index', String(last - 40n), '--out', out, single]);
    assert.equal(r.status, 0, r.stderr);
    await servesRecordedKeys(out, { write: true });
  });

  test(`etcd ${version}: walt cut --segment-bytes 16K, etcd starts on the new data dir and serves every key`, { skip }, async () => {
    const out = fresh('segment-bytes');
    const r = runWalt(['cut', '--segment-bytes', '16K', '--out', out, single]);
    assert.equal(r.status, 0, r.stderr);
    await servesRecordedKeys(out, { write: true });
  });

  test(`etcd ${version}: walt cut --drop-after --force, etcd reads exactly the prefix, starts on it and serves the keys`, { skip: skip || oracleSkip() }, async () => {
    const whole: OracleReadAll = oracle('readall', single, '--start-index', '0', '--start-term', '0');
    const keep = BigInt(whole.hardState.commit) - 10n;
    const out = fresh('drop-after');
    const r = runWalt(['cut', '--drop-after', String(keep), '--force', '--out', out, single]);
    assert.equal(r.status, 0, r.stderr);
    const mine: OracleReadAll = oracle('readall', out, '--start-index', '0', '--start-term', '0');
    assert.deepEqual(mine.entries, whole.entries.filter((e) => BigInt(e.index) <= keep), "etcd's ReadAll: the entries up to N");
    assert.equal(mine.hardState.commit, String(keep));
    // The key space comes from the backend (member/snap/db), which had applied the dropped
    // entries already; etcd's apply skips entries up to its consistent index, so new writes
    // would not be applied until the log passes it again: no write is checked here.
    await servesRecordedKeys(out, { write: false });
  });
}
