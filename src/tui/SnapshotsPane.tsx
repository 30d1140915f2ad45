/** The snapshots pane: the files in member/snap as `walt snap list` checks them, the one etcd loads starred. */
import { Box, Text } from 'ink';
import type { SnapList } from '../report/snap-list.js';
import { fit } from './entry-row.js';
import type { Theme } from './theme.js';
import { windowStart } from './view-state.js';

export interface SnapshotsPaneProps {
  snaps?: SnapList;
  /** Why there is no list: no snap dir, still reading, or a failure. */
  note: string;
  selected: number;
  height: number;
  width: number;
  focused: boolean;
  theme: Theme;
}

export function SnapshotsPane(p: SnapshotsPaneProps) {
  const files = p.snaps?.files ?? [];
  const rows = p.height - 1;
  const from = windowStart(p.selected, files.length, rows);
  const line = (mark: string, name: string, term: string, index: string, size: string, status: string) => `${mark} ${fit(name, 38)} ${term.padStart(5)} ${index.padStart(10)} ${size.padStart(9)}  ${status}`;
  return (
    <Box flexDirection="column" width={p.width} height={p.height}>
      <Text bold inverse={p.focused} wrap="truncate">
        {fit(line(' ', `Snapshots (${files.length}; * loaded)`, 'term', 'index', 'bytes', 'CRC'), p.width)}
      </Text>
      {files.length === 0 && <Text dimColor>{p.note}</Text>}
      {files.slice(from, from + rows).map((f, i) => {
        const bad = f.crc !== undefined && f.crc.status !== 'ok';
        const mark = f.name === p.snaps?.loads.etcd3423 ? '*' : ' ';
        return (
          <Text key={f.name} inverse={p.focused && from + i === p.selected} color={bad ? p.theme.color('error') : undefined} wrap="truncate">
            {fit(line(mark, f.name, f.term === undefined ? '' : String(f.term), f.index === undefined ? '' : String(f.index), String(f.size), f.crc ? (f.crc.reason ?? f.crc.status) : f.kind), p.width)}
          </Text>
        );
      })}
    </Box>
  );
}
