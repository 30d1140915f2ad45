/**
 * browse's logic without a terminal: the bytes terminals send for each key,
 * what a key does in each mode, moving and scrolling, the layout at 80×24 and
 * larger, column fitting, and NO_COLOR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINDINGS, commandFor, decodeKeys } from '../../src/tui/keymap.js';
import { layout } from '../../src/tui/layout.js';
import { initialView, move, selectRow, windowStart, type Bounds } from '../../src/tui/view-state.js';
import { fit, columnWidths, headerText } from '../../src/tui/entry-row.js';
import { themeFor } from '../../src/tui/theme.js';
import { colorOff } from '../../src/cli/options.js';

test('keys: xterm, screen/tmux and rxvt sequences for the same key decode alike; one read may hold several keys', () => {
  const names = (s: string) => decodeKeys(s).map((k) => (k.name === 'char' ? k.char : k.name));
  for (const home of ['\x1b[H', '\x1bOH', '\x1b[1~', '\x1b[7~']) assert.deepEqual(names(home), ['home']);
  for (const end of ['\x1b[F', '\x1bOF', '\x1b[4~', '\x1b[8~']) assert.deepEqual(names(end), ['end']);
  assert.deepEqual(names('\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[1;5C\x1b[Z\t'), ['up', 'down', 'pageUp', 'pageDown', 'right', 'backTab', 'tab']);
  assert.deepEqual(names('g250\r'), ['g', '2', '5', '0', 'enter']);
  assert.deepEqual(names('/ключ日\x7f\x1b'), ['/', 'к', 'л', 'ю', 'ч', '日', 'backspace', 'escape']);
  assert.deepEqual(names('\x1b[99~'), ['other']);
});

test('commands: the same key types in a prompt and acts while browsing; the help lists every browsing key', () => {
  const key = (char: string) => ({ name: 'char' as const, char });
  assert.deepEqual(commandFor(key('q'), 'browse'), { type: 'quit' });
  assert.deepEqual(commandFor(key('q'), 'prompt'), { type: 'type', text: 'q' });
  assert.deepEqual(commandFor({ name: 'enter' }, 'prompt'), { type: 'submit' });
  assert.deepEqual(commandFor({ name: 'end' }, 'keyspace'), { type: 'end' });
  assert.deepEqual(commandFor(key('x'), 'help'), { type: 'cancel' });
  const helped = BINDINGS.map(([k]) => k).join(' ');
  for (const c of ['/', 'n', 'f', 'g', 's', '?', 'q']) {
    assert.ok(commandFor(key(c), 'browse'), c);
    assert.ok(helped.split(/\s+/).includes(c), `help lists ${c}`);
  }
});

const bounds = (rows: number, page = 10): Bounds => ({ rows, page, segments: 3, snapshots: 5, detailLines: 40, detailPage: 6, keyRows: 100, keyPage: 20 });

test('moving: the selection stays on screen and within the rows; each pane moves its own list', () => {
  let v = selectRow(initialView(), 25, bounds(100));
  assert.deepEqual([v.row, v.top], [25, 16]);
  v = move(v, -20, bounds(100));
  assert.deepEqual([v.row, v.top], [5, 5]);
  v = move(v, 'last', bounds(100));
  assert.deepEqual([v.row, v.top], [99, 90]);
  assert.equal(move(v, 5, bounds(100)).row, 99);
  assert.deepEqual(selectRow(v, 3, bounds(4)), { ...v, row: 3, top: 0, detailTop: 0 });
  const detail = move({ ...initialView(), focus: 'detail' }, 'last', bounds(100));
  assert.equal(detail.detailTop, 34);
  assert.equal(move({ ...initialView(), focus: 'segments' }, 10, bounds(100)).segRow, 2);
  assert.equal(move({ ...initialView(), overlay: 'keyspace' }, 'last', bounds(100)).keyTop, 80);
  assert.equal(windowStart(7, 10, 3), 5);
  assert.equal(windowStart(1, 10, 3), 0);
});

test('layout: every pane fits 80×24; a larger terminal gives more rows, and side-by-side panes from 120 and 160 columns', () => {
  for (const [cols, rows] of [
    [80, 24],
    [100, 30],
    [120, 40],
    [200, 60],
  ]) {
    const l = layout(cols, rows, 3, 5);
    const used = l.topLines + l.statusLines + (l.detailBeside ? Math.max(l.entryRows + 2, l.detailRows + 1) : l.entryRows + 2 + l.detailRows + 1);
    assert.equal(used, rows - 1, `${cols}×${rows}`);
    assert.ok(l.entryRows >= 8 && l.detailRows >= 5, `${cols}×${rows}: ${l.entryRows} entries, ${l.detailRows} detail`);
  }
  assert.equal(layout(80, 24, 1, 5).topLines, 2);
  assert.ok(layout(100, 50, 3, 5).entryRows > layout(80, 24, 3, 5).entryRows);
  assert.equal(layout(130, 30, 3, 5).sideBySide, true);
  assert.equal(layout(170, 30, 3, 5).detailBeside, true);
  assert.equal(headerText(columnWidths(80, 2_000_000n)).length, 80);
});

test('columns are cut to terminal columns, wide characters counted twice', () => {
  assert.equal(fit('abcdef', 4), 'abc…');
  assert.equal(fit('日本語', 4), '日… ');
  assert.equal(fit('ab', 4), 'ab  ');
});

test('NO_COLOR set and not empty, or --no-color, turns colours off; FORCE_COLOR turns them on over NO_COLOR', () => {
  assert.equal(themeFor(colorOff(undefined, { NO_COLOR: '1' })).color('error'), undefined);
  assert.equal(themeFor(colorOff(undefined, { NO_COLOR: '' })).color('error'), 'red');
  assert.equal(themeFor(colorOff(undefined, {})).color('ok'), 'green');
  assert.equal(themeFor(colorOff(false, {})).color('ok'), undefined);
  assert.equal(themeFor(colorOff(undefined, { NO_COLOR: '1', FORCE_COLOR: '1' })).color('ok'), 'green');
  assert.equal(themeFor(colorOff(false, { FORCE_COLOR: '1' })).color('ok'), undefined);
});
