/** `?`: the keys, from the same table the key handling uses. */
import { Box, Text } from 'ink';
import { BINDINGS } from './keymap.js';

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const keyWidth = Math.max(...BINDINGS.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse>
        {'walt browse: keys'.padEnd(width)}
      </Text>
      {BINDINGS.map(([keys, what]) => (
        <Text key={keys} wrap="truncate">
          {`  ${keys.padEnd(keyWidth)}${what}`}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor wrap="truncate">
        {'  Read-only: nothing in the data dir is changed. NO_COLOR=1 turns colours off.'}
      </Text>
      <Text dimColor wrap="truncate">
        {'  Any key closes this help.'}
      </Text>
    </Box>
  );
}
