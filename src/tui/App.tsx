/**
 * `walt browse`'s screen: the panes laid out for the terminal's size, keys
 * turned into commands for the Controller. The view state lives in a ref as
 * well as in React state, so that several keys arriving in one read each see
 * the state the one before left.
 */
import { Box, useApp, useStdout } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { RenderOptions } from '../report/render.js';
import { Controller } from './controller.js';
import { detailLines } from './detail.js';
import { commandFor, type Mode } from './keymap.js';
import { layout } from './layout.js';
import { segmentStatus } from './problems.js';
import type { Session } from './session.js';
import { activityLine, stateLine } from './status.js';
import type { Theme } from './theme.js';
import { useKeys } from './use-keys.js';
import { initialView, type Bounds, type ViewState } from './view-state.js';
import { DetailPane } from './DetailPane.js';
import { EntriesPane } from './EntriesPane.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KeySpaceView } from './KeySpaceView.js';
import { SegmentsPane } from './SegmentsPane.js';
import { SnapshotsPane } from './SnapshotsPane.js';
import { StatusBar } from './StatusBar.js';

export interface AppProps {
  session: Session;
  theme: Theme;
}

function useTerminalSize(): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

const modeOf = (v: ViewState): Mode => (v.prompt ? 'prompt' : (v.overlay ?? 'browse'));

export function App({ session, theme }: AppProps) {
  const render: RenderOptions = { secrets: session.opts.secrets, k8sObjects: session.opts.k8sObjects };
  const { exit } = useApp();
  const { cols, rows: termRows } = useTerminalSize();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    session.on('change', redraw);
    return () => {
      session.off('change', redraw);
    };
  }, [session]);
  const viewRef = useRef<ViewState>(initialView());
  const [view, setView] = useState(viewRef.current);
  const controller = useMemo(
    () =>
      new Controller(
        session,
        (f) => {
          viewRef.current = f(viewRef.current);
          setView(viewRef.current);
        },
        exit,
      ),
    [session, exit],
  );

  const snapFiles = session.snaps?.files.length ?? 0;
  const lay = layout(cols, termRows, session.allSegments.length, snapFiles);
  const entryRows = session.rows(view.top, lay.entryRows);
  const detail = detailLines(entryRows[view.row - view.top], lay.detailCols, render);
  const keyRows = session.keySpace?.result?.rows.length ?? 0;
  const bounds: Bounds = { rows: session.rowCount(), page: lay.entryRows, segments: session.allSegments.length, snapshots: snapFiles, detailLines: detail.length, detailPage: lay.detailRows, keyRows, keyPage: lay.lines - 4 };
  controller.setBounds(bounds, lay.topLines - 1);
  // Once entries are on screen, the index pass may have the CPU back.
  useEffect(() => {
    if (entryRows.length > 0 || session.indexDone) session.firstScreenShown();
  });
  useKeys((key) => {
    const cmd = commandFor(key, modeOf(viewRef.current));
    if (cmd) controller.run(cmd, viewRef.current);
  });

  const status = <StatusBar state={stateLine(session)} activity={activityLine(session, view)} width={cols} theme={theme} />;
  if (view.overlay) {
    const body = view.overlay === 'help' ? <HelpOverlay width={cols} height={lay.lines - 2} /> : <KeySpaceView job={session.keySpace} top={view.keyTop} width={cols} height={lay.lines - 2} theme={theme} />;
    return (
      <Box flexDirection="column" width={cols} height={lay.lines}>
        {body}
        {status}
      </Box>
    );
  }

  const read = session.start?.segments;
  const progress = session.scan ?? (session.failures.index ? 'failed' : 'reading');
  const segments = session.allSegments.map((s) => ({ ...s, status: segmentStatus(s, session.problems, read, progress) }));
  const topWidth = lay.sideBySide ? Math.floor(cols / 2) : cols;
  const segPane = <SegmentsPane segments={segments} selected={view.segRow} height={lay.topLines} width={topWidth} focused={view.focus === 'segments'} theme={theme} />;
  const snapNote = !session.paths.snapDir ? 'no member/snap dir beside the WAL' : (session.failures.snaps ?? 'reading…');
  const snapPane = <SnapshotsPane snaps={session.snaps} note={snapNote} selected={view.snapRow} height={lay.topLines} width={cols - (lay.sideBySide ? topWidth + 1 : 0)} focused={view.focus === 'snapshots'} theme={theme} />;
  const base = session.base;
  const span = base === undefined || session.lastIndex === undefined ? '' : session.lastIndex > base ? ` ${base + 1n}–${session.lastIndex}` : ' (none)';
  const title = `Entries${span}${session.filter ? ` · filter ${session.filter.filter.spec}: ${session.filter.count} kept` : ` (${session.rowCount()})`}${session.indexDone ? '' : ' · indexing…'}`;
  const note = session.failures.index ? `cannot read the WAL: ${session.failures.index}` : session.indexDone ? 'no entries' : 'reading the WAL…';
  const entries = <EntriesPane title={title} rows={entryRows} top={view.top} selected={view.row} height={lay.entryRows} width={lay.entryCols} focused={view.focus === 'entries'} lastIndex={session.lastIndex ?? 0n} note={note} theme={theme} render={render} />;
  const detailPane = <DetailPane lines={detail} top={view.detailTop} height={lay.detailRows} width={lay.detailCols} focused={view.focus === 'detail'} theme={theme} />;
  return (
    <Box flexDirection="column" width={cols} height={lay.lines}>
      {lay.sideBySide ? (
        <Box flexDirection="row" gap={1}>
          {segPane}
          {snapPane}
        </Box>
      ) : view.focus === 'snapshots' ? (
        snapPane
      ) : (
        segPane
      )}
      {lay.detailBeside ? (
        <Box flexDirection="row" gap={1}>
          {entries}
          {detailPane}
        </Box>
      ) : (
        <>
          {entries}
          {detailPane}
        </>
      )}
      {status}
    </Box>
  );
}
