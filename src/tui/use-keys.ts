/**
 * Keys from ink's stdin, decoded by keymap.ts. Ink reads the terminal in raw
 * mode and passes each read on as an 'input' event; useInput would drop Home
 * and End and merge several keys of one read into one "paste".
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKeys, type Key } from './keymap.js';

export function useKeys(onKey: (key: Key) => void): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: input } = useStdin();
  // The handler changes with every render; the subscription stays.
  const handler = useRef(onKey);
  handler.current = onKey;
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);
  useEffect(() => {
    const onInput = (data: string | Buffer) => {
      for (const key of decodeKeys(String(data))) handler.current(key);
    };
    input.on('input', onInput);
    return () => {
      input.removeListener('input', onInput);
    };
  }, [input]);
}
