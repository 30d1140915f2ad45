/**
 * Every data error names the file, the byte offset and the next step, in
 * verify's report and in the one line a failed command prints (no stack
 * trace): on damage of every kind verify reports, in the WAL and the backend.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runWalt, Scratch, walOf } from '../helpers/fixtures.js';
import { cutInsideLastRecord, flipBitMidLog, lastSegmentPath, records } from '../helpers/corrupt.js';
import { BACKEND_DAMAGE } from '../helpers/backend-damage.js';

const scratch = new Scratch();
after(() => scratch.remove());
const single = scratch.unpack('single');

const NEXT = /walt repair-tail|walt dump --raw|etcdutl snapshot restore|walt snap show/;

const damages: Array<[string, (dir: string) => void]> = [
  ['a flipped bit mid-log', (d) => void flipBitMidLog(walOf(d))],
  ['a torn tail', (d) => void cutInsideLastRecord(walOf(d))],
  [
    'a zeroed sector mid-log',
    (d) => {
      const seg = lastSegmentPath(walOf(d));
      const at = records(walOf(d)).find((r) => r.offset % 512 === 0 && r.offset > 20000)!.offset;
      const b = readFileSync(seg);
      b.fill(0, at, at + 512);
      writeFileSync(seg, b);
    },
  ],
  ...BACKEND_DAMAGE.filter((c) => !c.etcdStarts).map((c) => [c.name, c.damage] as [string, (dir: string) => void]),
];

for (const [name, damage] of damages) {
  test(`${name}: each error names its file, offset and next step; the command's stderr is one line at most`, () => {
    const dir = scratch.copyOf(single);
    damage(dir);
    const r = runWalt(['verify', '--json', dir]);
    assert.notEqual(r.status, 0);
    const errors = (JSON.parse(r.stdout).problems as Array<{ severity: string; code: string; message: string; file?: string; offset?: number }>).filter((p) => p.severity === 'error');
    assert.ok(errors.length > 0);
    for (const p of errors) {
      assert.ok(p.file, `${p.code} names a file`);
      // A file that is missing has no offset to name.
      if (p.code !== 'BACKEND_MISSING' && p.code !== 'BACKEND_BEHIND_SNAPSHOT') assert.equal(typeof p.offset, 'number', `${p.code} names an offset`);
      assert.match(p.message, NEXT, `${p.code} names the next step: ${p.message}`);
    }
    for (const args of [['dump', dir], ['dump', '--format', 'ndjson', dir], ['replay-to-state', '--from', 'db', dir]]) {
      const c = runWalt(args);
      assert.doesNotMatch(c.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
      // Other lines on stderr are notes (replay-to-state's version rules); a failure is one line.
      const failures = c.stderr.split('\n').filter((l) => l.startsWith('walt: '));
      assert.ok(failures.length <= 1, `${args.join(' ')}: ${c.stderr}`);
      if (c.status !== 0) assert.equal(failures.length, 1, `${args.join(' ')} says why it failed: ${c.stderr}`);
    }
  });
}
