/** `s`: the key space replayed up to the selected entry (keyspace.ts), scrolled with the movement keys; Esc or s closes it. */
import { Box, Text } from 'ink';
import type { KeySpaceJob } from './keyspace-job.js';
import { fit } from './entry-row.js';
import type { Theme } from './theme.js';

export interface KeySpaceViewProps {
  job?: KeySpaceJob;
  top: number;
  width: number;
  height: number;
  theme: Theme;
}

export function KeySpaceView({ job, top, width, height, theme }: KeySpaceViewProps) {
  const r = job?.result;
  const rows = height - 2;
  const keyWidth = Math.floor((width - 30) * 0.45);
  const line = (key: string, value: string, create: string, mod: string, version: string) =>
    `${fit(key, keyWidth)} ${fit(value, width - keyWidth - 30)} ${create.padStart(8)} ${mod.padStart(8)} ${version.padStart(7)}`;
  const title = r
    ? `Key space after index ${r.appliedIndex}: revision ${r.revision}, ${r.rows.length} keys (replayed from the ${r.source === 'wal' ? 'WAL' : 'backend and WAL'})`
    : `Key space after index ${job?.atIndex ?? '?'}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold inverse wrap="truncate">
        {fit(title, width)}
      </Text>
      {r ? (
        <Text dimColor wrap="truncate">
          {line('key', 'value', 'create', 'mod', 'version')}
        </Text>
      ) : (
        <Text color={job?.error ? theme.color('error') : undefined} wrap="truncate">
          {job?.error ? `cannot replay: ${job.error}` : 'replaying the log through the Raft node and state machines… (Esc stops)'}
        </Text>
      )}
      {r?.rows.slice(top, top + rows).map((kv, i) => (
        <Text key={top + i} wrap="truncate">
          {line(kv.key, kv.value, String(kv.createRevision), String(kv.modRevision), String(kv.version))}
        </Text>
      ))}
    </Box>
  );
}
