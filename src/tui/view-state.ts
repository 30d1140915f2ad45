/**
 * What the screen shows, apart from the log itself: which pane has focus,
 * the selected rows and scroll positions, the open prompt or overlay, and a
 * one-line message. Pure functions of a state and bounds, so moving around
 * is tested without a terminal.
 */
import type { PromptKind } from './keymap.js';

export type Pane = 'entries' | 'detail' | 'segments' | 'snapshots';

/** Tab's order. */
const PANES: readonly Pane[] = ['entries', 'detail', 'segments', 'snapshots'];

export interface ViewState {
  focus: Pane;
  /** Selected entry row, and the first row on screen. */
  row: number;
  top: number;
  segRow: number;
  snapRow: number;
  /** First detail line on screen. */
  detailTop: number;
  overlay?: 'help' | 'keyspace';
  /** First key-space row on screen. */
  keyTop: number;
  prompt?: { kind: PromptKind; text: string };
  lastSearch?: string;
  message?: string;
  /** What a jump is waiting for (the index pass, a filter), shown until it lands. */
  waiting?: string;
}

/** How far each list goes, and how many of its lines fit on screen. */
export interface Bounds {
  rows: number;
  page: number;
  segments: number;
  snapshots: number;
  detailLines: number;
  detailPage: number;
  keyRows: number;
  keyPage: number;
}

export const initialView = (): ViewState => ({ focus: 'entries', row: 0, top: 0, segRow: 0, snapRow: 0, detailTop: 0, keyTop: 0 });

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

/** The selected entry row, scrolled into view; the detail starts again at its top. */
export function selectRow(v: ViewState, row: number, b: Bounds): ViewState {
  const r = clamp(row, 0, Math.max(0, b.rows - 1));
  const top = r < v.top ? r : r >= v.top + b.page ? r - b.page + 1 : v.top;
  // No blank rows below the last while there are rows above the screen.
  return { ...v, row: r, top: clamp(top, 0, Math.max(0, b.rows - b.page)), detailTop: r === v.row ? v.detailTop : 0 };
}

/** A scroll offset moved by `by`, kept within a list of `total` lines showing `page` at a time. */
const scroll = (top: number, by: number, total: number, page: number) => clamp(top + by, 0, Math.max(0, total - page));

/**
 * Moves in the focused pane (or the key-space overlay) by `by` rows; a page
 * is the pane's height. `to` 'first'/'last' goes to an end (the entries'
 * last row is the caller's to find: it may not be known yet).
 */
export function move(v: ViewState, by: number | 'first' | 'last', b: Bounds): ViewState {
  if (v.overlay === 'keyspace') {
    const step = by === 'first' ? -Infinity : by === 'last' ? Infinity : by;
    return { ...v, keyTop: scroll(v.keyTop, step, b.keyRows, b.keyPage) };
  }
  const step = (cur: number) => (by === 'first' ? -cur : by === 'last' ? Infinity : by);
  switch (v.focus) {
    case 'entries':
      return selectRow(v, by === 'first' ? 0 : by === 'last' ? b.rows - 1 : v.row + by, b);
    case 'detail':
      return { ...v, detailTop: scroll(v.detailTop, step(v.detailTop), b.detailLines, b.detailPage) };
    case 'segments':
      return { ...v, segRow: clamp(v.segRow + step(v.segRow), 0, Math.max(0, b.segments - 1)) };
    case 'snapshots':
      return { ...v, snapRow: clamp(v.snapRow + step(v.snapRow), 0, Math.max(0, b.snapshots - 1)) };
  }
}

/** The page size of the focused pane. */
export function pageOf(v: ViewState, b: Bounds, topPage: number): number {
  if (v.overlay === 'keyspace') return b.keyPage;
  return v.focus === 'entries' ? b.page : v.focus === 'detail' ? b.detailPage : topPage;
}

export function cycleFocus(v: ViewState, by: 1 | -1): ViewState {
  const i = PANES.indexOf(v.focus);
  return { ...v, focus: PANES[(i + by + PANES.length) % PANES.length] };
}

/** The first item shown of a list `total` long that shows `height` at a time, keeping `selected` in view. */
export function windowStart(selected: number, total: number, height: number): number {
  return Math.max(0, Math.min(selected - height + 1, total - height));
}
