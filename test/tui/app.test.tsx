/**
 * browse's App rendered with ink-testing-library on real etcd data dirs:
 * what the first screen shows, and what moving, jumping, searching,
 * filtering, the key space and quitting do to it. Keys go in as the bytes a
 * terminal sends.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { App } from '../../src/tui/App.js';
import { Session, type SessionOptions } from '../../src/tui/session.js';
import { themeFor } from '../../src/tui/theme.js';
import { flipBitMidLog } from '../helpers/corrupt.js';
import { removeDir, unpackFixture } from '../helpers/fixtures.js';

const single = unpackFixture('single');
after(() => removeDir(single));

const KEYS = { down: '\x1b[B', end: '\x1b[F', home: '\x1b[H', pageDown: '\x1b[6~', tab: '\t', enter: '\r', escape: '\x1b' };

async function waitFor(frame: () => string | undefined, ok: (f: string) => boolean, what: string, ms = 5000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const f = frame() ?? '';
    if (ok(f)) return f;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}; the screen was:\n${f}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The selected row: the entries pane marks it with › (colours are off, so inverse is not visible in the frame). */
const selectedIndex = (f: string) => /^›\s+(\d+) /m.exec(f)?.[1];

function open(dir: string, opts: SessionOptions = {}) {
  const session = new Session(resolveDataDir(dir), opts);
  const app = render(<App session={session} theme={themeFor(true)} />);
  const frame = () => app.lastFrame();
  const press = async (keys: string, until: (f: string) => boolean, what: string) => {
    app.stdin.write(keys);
    return waitFor(frame, until, what);
  };
  const close = () => {
    app.unmount();
    session.close();
  };
  return { session, app, frame, press, close };
}

test('first screen: the first entries, the hard state and metadata; End, g and / move the selection', async () => {
  const t = open(single, { startIndex: 1n });
  try {
    const first = await waitFor(t.frame, (f) => f.includes('commit 511') && f.includes('verify: healthy'), 'the index and verify');
    assert.match(first, /Entries 1–511 \(511\)/);
    assert.match(first, /hard state term 2 vote a7389082890d1894 commit 511/);
    assert.match(first, /node a7389082890d1894 cluster 3e1ad9a1ad67a889/);
    assert.equal(selectedIndex(first), '1');
    assert.match(first, /^\s+2 2\s+norm\s+empty/m);
    assert.match(first, /0000000000000000-0000000000000000\.wal\s+0\s+106104\s+ok/);

    await t.press(KEYS.down + KEYS.down, (f) => selectedIndex(f) === '3', 'two rows down');
    const end = await t.press(KEYS.end, (f) => selectedIndex(f) === '511', 'End');
    assert.match(end, /entry 511 {2}term 2 {2}EntryNormal/);
    assert.match(end, /lease_checkpoint/);

    // Several keys in one read, as a fast typist or tmux delivers them.
    const jumped = await t.press('g250' + KEYS.enter, (f) => selectedIndex(f) === '250', 'g 250 Enter');
    assert.match(jumped, /entry 250 {2}term 2/);
    await t.press(KEYS.home, (f) => selectedIndex(f) === '1', 'Home');

    const found = await t.press('//text/quotes' + KEYS.enter, (f) => /›\s+\d+ 2\s+norm\s+put\s+"\/text\/quotes"/.test(f), 'search');
    assert.match(found, /key: "\/text\/quotes"/);
    const at = selectedIndex(found);
    await t.press('n', (f) => f.includes(`"/text/quotes" not found after index ${at}`), 'no next match');

    await t.press('g99999' + KEYS.enter, (f) => f.includes('no entry 99999: this read has 1–511'), 'a jump past the end');
  } finally {
    t.close();
  }
});

test('f filters by request kind with dump --entry-type names; an unknown name is refused with the valid ones', async () => {
  const t = open(single, { startIndex: 1n });
  try {
    await waitFor(t.frame, (f) => f.includes('commit 511'), 'the index');
    const txns = await t.press('fIRRTxn' + KEYS.enter, (f) => /filter IRRTxn: \d+ kept/.test(f) && !f.includes('reading'), 'the filter');
    const rows = txns.split('\n').filter((l) => /^[› ]\s+\d+ \d+\s+norm/.test(l));
    assert.ok(rows.length > 0 && rows.every((l) => /\snorm\s+txn\s/.test(l)), txns);
    await t.press('fNoSuchType' + KEYS.enter, (f) => f.includes('unknown entry type "NoSuchType"; valid: ConfigChange, Normal'), 'the refusal');
    await t.press('f' + KEYS.enter, (f) => f.includes('Entries 1–511 (511)'), 'the filter cleared');
  } finally {
    t.close();
  }
});

test('s shows the key space replayed to the selected entry; ? shows the keys; q stops reading keys', async () => {
  const t = open(single);
  try {
    await waitFor(t.frame, (f) => f.includes('commit 511'), 'the index');
    const keys = await t.press('s', (f) => f.includes('Key space after index 493: revision'), 'the key space');
    await waitFor(t.frame, (f) => f.includes('"/after/key-13"') && f.includes('"/app/config/x"'), 'keys of the replay');
    assert.doesNotMatch(keys, /"\/after\/key-14"/, 'entry 494 is not applied yet');
    await t.press(KEYS.escape, (f) => f.includes('Entries 493–511'), 'back to the entries');
    await t.press('?', (f) => f.includes('walt browse: keys') && f.includes('search forward'), 'help');
    await t.press(KEYS.escape, (f) => f.includes('Entries 493–511'), 'help closed');
    assert.equal(t.app.stdin.listenerCount('readable'), 1);
    t.app.stdin.write('q');
    // ink stops listening to the terminal once the App has exited.
    await waitFor(() => String(t.app.stdin.listenerCount('readable')), (n) => n === '0', 'the App to exit');
  } finally {
    t.close();
  }
});

test('a flipped bit mid-log: reading stops at that record, marked with the reason in the list, detail and segments', async (ctx) => {
  const dir = join(single, '..', 'walt-tui-corrupt');
  cpSync(single, dir, { recursive: true });
  ctx.after(() => removeDir(dir));
  const bad = flipBitMidLog(join(dir, 'member', 'wal'));
  const t = open(dir, { startIndex: 1n });
  try {
    const f = await waitFor(t.frame, (s) => s.includes('verify: corrupt'), 'verify');
    assert.match(f, new RegExp(`CRC_MISMATCH @${bad.offset}`), 'the segment names the offset');
    const end = await t.press(KEYS.end, (s) => /^✗ reading stopped: CRC_MISMATCH/m.test(s), 'the end row');
    assert.match(end, /✗ CRC_MISMATCH: entry record stores CRC/);
  } finally {
    t.close();
  }
});
