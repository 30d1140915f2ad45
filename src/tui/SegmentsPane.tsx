/** The segments pane: every .wal file in the WAL dir, with its first index, size and what was found in it. */
import { Box, Text } from 'ink';
import type { Segment } from '../codec/segment-name.js';
import { fit } from './entry-row.js';
import type { SegmentStatus } from './problems.js';
import type { Theme } from './theme.js';
import { windowStart } from './view-state.js';

export interface SegmentsPaneProps {
  segments: Array<Segment & { size: number; status: SegmentStatus }>;
  selected: number;
  height: number;
  width: number;
  focused: boolean;
  theme: Theme;
}

export function SegmentsPane(p: SegmentsPaneProps) {
  const rows = p.height - 1;
  const from = windowStart(p.selected, p.segments.length, rows);
  const line = (name: string, first: string, size: string, status: string) => `${fit(name, 37)} ${first.padStart(10)} ${size.padStart(10)}  ${status}`;
  return (
    <Box flexDirection="column" width={p.width} height={p.height}>
      <Text bold inverse={p.focused} wrap="truncate">
        {fit(line(`Segments (${p.segments.length})`, 'first', 'bytes', 'status'), p.width)}
      </Text>
      {p.segments.slice(from, from + rows).map((s, i) => (
        <Text key={s.name} inverse={p.focused && from + i === p.selected} color={s.status.bad ? p.theme.color('error') : undefined} wrap="truncate">
          {fit(line(s.name, String(s.index), String(s.size), s.status.text), p.width)}
        </Text>
      ))}
    </Box>
  );
}
