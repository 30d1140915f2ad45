/** The detail pane: the selected entry's lines from detail.ts, scrolled when it has the focus. */
import { Box, Text } from 'ink';
import type { DetailLine } from './detail.js';
import { fit } from './entry-row.js';
import type { Theme } from './theme.js';

export interface DetailPaneProps {
  lines: DetailLine[];
  top: number;
  height: number;
  width: number;
  focused: boolean;
  theme: Theme;
}

export function DetailPane(p: DetailPaneProps) {
  const more = p.lines.length > p.top + p.height ? ` (${p.top + 1}–${p.top + p.height} of ${p.lines.length} lines; Tab here and ↓ to scroll)` : '';
  return (
    <Box flexDirection="column" width={p.width} height={p.height + 1}>
      <Text bold inverse={p.focused} wrap="truncate">
        {fit(`Detail${more}`, p.width)}
      </Text>
      {p.lines.slice(p.top, p.top + p.height).map((l, i) => (
        <Text key={p.top + i} bold={l.bold} color={l.tone && p.theme.color(l.tone)} wrap="truncate">
          {l.text}
        </Text>
      ))}
    </Box>
  );
}
