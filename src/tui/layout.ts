/**
 * How the screen is shared between the panes, from the terminal's size: an
 * 80×24 terminal gets every pane, a larger one more rows of each, and from
 * 120 columns the segments and snapshots side by side, from 160 the detail
 * beside the entries.
 */
export interface Layout {
  cols: number;
  /** Lines drawn: one less than the terminal has, or ink redraws the whole screen on every change. */
  lines: number;
  sideBySide: boolean;
  /** Lines of the segments/snapshots pane, its title included. */
  topLines: number;
  /** Entry rows, the pane's title and column header excluded. */
  entryRows: number;
  entryCols: number;
  detailBeside: boolean;
  /** Detail lines, the title excluded. */
  detailRows: number;
  detailCols: number;
  statusLines: number;
}

const MIN_LINES = 14;
const STATUS_LINES = 2;

export function layout(cols: number, rows: number, segments: number, snapshots: number): Layout {
  const lines = Math.max(rows - 1, MIN_LINES);
  const sideBySide = cols >= 120;
  // Narrow, the snapshots replace the segments while they have the focus, in the segments' space (and scroll).
  const topItems = Math.max(1, Math.min(sideBySide ? Math.max(segments, snapshots) : segments, lines >= 40 ? 8 : 3));
  // One title line, naming the columns too.
  const topLines = topItems + 1;
  const rest = lines - topLines - STATUS_LINES;
  if (cols >= 160) {
    const detailCols = Math.floor(cols * 0.4);
    return { cols, lines, sideBySide, topLines, entryRows: rest - 2, entryCols: cols - detailCols - 1, detailBeside: true, detailRows: rest - 1, detailCols, statusLines: STATUS_LINES };
  }
  // Entries: title and column header; detail: title.
  const body = rest - 3;
  const entryRows = Math.ceil(body * 0.55);
  return { cols, lines, sideBySide, topLines, entryRows, entryCols: cols, detailBeside: false, detailRows: body - entryRows, detailCols: cols, statusLines: STATUS_LINES };
}
