/** The status bar: the log's hard state and metadata, then the prompt or what is going on. */
import { Box, Text } from 'ink';
import type { StatusLine } from './status.js';
import type { Theme } from './theme.js';

export interface StatusBarProps {
  state: StatusLine;
  activity: StatusLine;
  width: number;
  theme: Theme;
}

export function StatusBar(p: StatusBarProps) {
  return (
    <Box flexDirection="column" width={p.width} height={2}>
      <Text dimColor wrap="truncate">
        {p.state.text}
      </Text>
      <Text color={p.activity.tone && p.theme.color(p.activity.tone)} wrap="truncate">
        {p.activity.text}
      </Text>
    </Box>
  );
}
