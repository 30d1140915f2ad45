/** The entries pane: one row per entry (or per kept entry under a filter), bad records marked with `!` and the reason in the detail. */
import { Box, Text } from 'ink';
import type { RenderOptions } from '../report/render.js';
import { columnWidths, entryColumns, fit, headerText, rowText } from './entry-row.js';
import type { Row } from './session.js';
import type { Theme } from './theme.js';

export interface EntriesPaneProps {
  title: string;
  rows: Row[];
  top: number;
  selected: number;
  height: number;
  width: number;
  focused: boolean;
  lastIndex: bigint;
  /** Shown when there is no row yet. */
  note: string;
  theme: Theme;
  render: RenderOptions;
}

export function EntriesPane(p: EntriesPaneProps) {
  const w = columnWidths(p.width, p.lastIndex);
  return (
    <Box flexDirection="column" width={p.width} height={p.height + 2}>
      <Text bold inverse={p.focused} wrap="truncate">
        {fit(p.title, p.width)}
      </Text>
      <Text dimColor wrap="truncate">
        {headerText(w)}
      </Text>
      {p.rows.length === 0 && <Text dimColor>{p.note}</Text>}
      {p.rows.map((row, i) => {
        const at = p.top + i;
        const selected = at === p.selected;
        const bad = row.kind === 'end' || row.problems.length > 0;
        const text = row.kind === 'end' ? `✗ reading stopped: ${row.reason}` : rowText(bad ? '!' : selected ? '›' : ' ', entryColumns(row.item.entry, p.render), w);
        return (
          <Text key={at} inverse={selected} color={bad ? p.theme.color('error') : undefined} wrap="truncate">
            {fit(text, p.width)}
          </Text>
        );
      })}
    </Box>
  );
}
