/**
 * browse's Session on real etcd data dirs: the rows a filter keeps are those
 * `dump --entry-type` prints, a search lands where dump shows the key and
 * never confirms a secret, the key space at the last entry is what the live
 * member served, and a torn tail ends the rows with its reason.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { decodeNormalEntry } from '../../src/codec/request.js';
import { requestKeys } from '../../src/codec/request-keys.js';
import { goQuote } from '../../src/report/render.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { parseEntryTypes } from '../../src/report/entry-filter.js';
import { selectEntries } from '../../src/report/entry-select.js';
import { keySpaceAt } from '../../src/tui/keyspace.js';
import { Session } from '../../src/tui/session.js';
import { cutInsideLastRecord } from '../helpers/corrupt.js';
import { readFixtureJson, removeDir, unpackFixture } from '../helpers/fixtures.js';

const single = unpackFixture('single');
after(() => removeDir(single));
const paths = resolveDataDir(single);

function until(s: Session, ok: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
    const check = () => {
      if (!ok()) return;
      clearTimeout(timer);
      s.off('change', check);
      resolve();
    };
    s.on('change', check);
    check();
  });
}

test('a filter keeps the rows dump --entry-type prints, and a jump under it lands on the next kept entry', async () => {
  const s = new Session(paths, { startIndex: 1n, every: 8 });
  try {
    await until(s, () => s.scan !== undefined, 'the index');
    const spec = 'IRRPut,ConfigChange,IRRLeaseGrant';
    s.setFilter(parseEntryTypes(spec));
    await until(s, () => s.filter?.done === true, 'the filter');
    const want = [...selectEntries(planDump(paths, 1n), { entryType: parseEntryTypes(spec) })].map((e) => e.entry.index);
    assert.deepEqual([...Array(s.rowCount()).keys()].map((r) => s.indexOfRow(r)), want);
    assert.deepEqual(s.rows(0, 3).map((r) => (r.kind === 'entry' ? r.item.entry.index : r.kind)), want.slice(0, 3));
    const after = want.findIndex((i) => i >= 400n);
    assert.equal(s.rowOf(400n), after);
  } finally {
    s.close();
  }
});

test('search finds the first entry after the selection touching a key, and never confirms a password', async () => {
  const s = new Session(paths, { startIndex: 1n });
  try {
    await until(s, () => s.scan !== undefined, 'the index');
    const key = Buffer.from('/text/quotes');
    const touching = [...dumpEntries(planDump(paths, 1n))].filter(({ entry }) => entry.type === 0 && requestKeys(decodeNormalEntry(entry.data)).some((k) => key.equals(k.key))).map((e) => e.entry.index);
    assert.ok(touching.length > 0);
    assert.equal(await s.search('/text/quotes', 0n), touching[0]);
    assert.equal(await s.search('/text/quotes', touching[touching.length - 1]), undefined);
    // The fixture's root password is in auth_user_add and authenticate entries, which carry secrets.
    assert.equal(await s.search('rootpw', 0n), undefined);
  } finally {
    s.close();
  }
});

test('the key space after the last entry is what the live member served', () => {
  const served = readFixtureJson<{ kvs: Array<{ key: string; mod_revision: number }> }>('single', 'expected-get.json');
  const ks = keySpaceAt(paths, 511n);
  assert.equal(ks.appliedIndex, 511n);
  assert.deepEqual(
    ks.rows.map((r) => [r.key, Number(r.modRevision)]),
    served.kvs.map((kv) => [goQuote(Buffer.from(kv.key, 'base64')), kv.mod_revision]),
  );
});

test('a torn tail ends the rows with the reason, where verify reports it', async (ctx) => {
  const dir = join(single, '..', 'walt-tui-torn');
  cpSync(single, dir, { recursive: true });
  ctx.after(() => removeDir(dir));
  const cut = cutInsideLastRecord(join(dir, 'member', 'wal'));
  const s = new Session(resolveDataDir(dir), { startIndex: 1n });
  try {
    await until(s, () => s.verdict !== undefined, 'verify');
    assert.equal(s.verdict, 'torn-tail');
    const last = s.rows(s.rowCount() - 1, 1)[0];
    assert.equal(last.kind, 'end');
    assert.match(last.reason, /^torn write: the record is cut short/);
    assert.deepEqual(
      last.problems.map((p) => [p.code, p.file, p.offset]),
      [['TORN_TAIL', cut.path, cut.at - 8 - 5]],
    );
  } finally {
    s.close();
  }
});

test("the first frame's wait ends with the first rows in, a held index pass included, and those rows are the log's first entries", async () => {
  const s = new Session(paths, { holdIndex: true });
  try {
    await s.firstRows(10_000);
    assert.ok(s.rowCount() > 0, 'rows before the first frame');
    const first = [...dumpEntries(planDump(paths))][0].entry;
    const row = s.rows(0, 1)[0];
    assert.equal(row.kind === 'entry' && row.item.entry.index, first.index);
  } finally {
    s.close();
  }
});
