/**
 * Keys: the bytes a terminal sends, decoded to named keys, and what each key
 * does in each mode. The help overlay lists BINDINGS, so help and behaviour
 * cannot drift apart.
 *
 * Decoding is done here rather than by ink's useInput, which in ink 5 does
 * not report Home and End, and which takes several keys arriving in one read
 * (as `tmux send-keys` and fast typing deliver them) for one paste.
 */
export type KeyName = 'up' | 'down' | 'left' | 'right' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'tab' | 'backTab' | 'enter' | 'escape' | 'backspace' | 'char' | 'other';

export interface Key {
  name: KeyName;
  /** The character, for 'char'. */
  char?: string;
}

/** CSI and SS3 sequences (xterm, screen/tmux, rxvt and the Linux console send different ones for Home and End). */
const SEQUENCES: Record<string, KeyName> = {
  '[A': 'up', '[B': 'down', '[C': 'right', '[D': 'left',
  OA: 'up', OB: 'down', OC: 'right', OD: 'left',
  '[5~': 'pageUp', '[6~': 'pageDown',
  '[H': 'home', OH: 'home', '[1~': 'home', '[7~': 'home',
  '[F': 'end', OF: 'end', '[4~': 'end', '[8~': 'end',
  '[Z': 'backTab',
};

const CONTROL: Record<string, KeyName> = { '\t': 'tab', '\r': 'enter', '\n': 'enter', '\x7f': 'backspace', '\b': 'backspace' };

/** Splits what one read of the terminal gave into keys. */
export function decodeKeys(chunk: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < chunk.length) {
    const c = chunk[i];
    if (c === '\x1b') {
      const next = chunk[i + 1];
      if (next === '[' || next === 'O') {
        // CSI: parameters and intermediates up to a final byte in @…~; SS3: one character.
        let j = i + 2;
        if (next === '[') while (j < chunk.length && !(chunk.charCodeAt(j) >= 0x40 && chunk.charCodeAt(j) <= 0x7e)) j++;
        const body = chunk.slice(i + 1, j + 1);
        // A modifier (ESC [1;5A is Ctrl-Up) does not change which key it is.
        const plain = body.replace(/^\[1;\d+([A-Z])$/, '[$1').replace(/^\[(\d+);\d+~$/, '[$1~');
        keys.push({ name: SEQUENCES[plain] ?? 'other' });
        i = j + 1;
        continue;
      }
      keys.push({ name: 'escape' });
      i++;
      continue;
    }
    const control = CONTROL[c];
    if (control) keys.push({ name: control });
    else if (c >= ' ') {
      const ch = String.fromCodePoint(chunk.codePointAt(i)!);
      keys.push({ name: 'char', char: ch });
      i += ch.length;
      continue;
    } else keys.push({ name: 'other' });
    i++;
  }
  return keys;
}

export type PromptKind = 'search' | 'jump' | 'filter';

export type Command =
  | { type: 'move'; by: number }
  | { type: 'page'; by: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'focus'; by: 1 | -1 }
  | { type: 'open' }
  | { type: 'prompt'; kind: PromptKind }
  | { type: 'type'; text: string }
  | { type: 'erase' }
  | { type: 'submit' }
  | { type: 'cancel' }
  | { type: 'searchNext' }
  | { type: 'keySpace' }
  | { type: 'help' }
  | { type: 'quit' };

export type Mode = 'browse' | 'prompt' | 'help' | 'keyspace';

const MOVES: Partial<Record<KeyName, Command>> = {
  up: { type: 'move', by: -1 },
  down: { type: 'move', by: 1 },
  pageUp: { type: 'page', by: -1 },
  pageDown: { type: 'page', by: 1 },
  home: { type: 'home' },
  end: { type: 'end' },
};

const CHARS: Record<string, Command> = {
  k: { type: 'move', by: -1 },
  j: { type: 'move', by: 1 },
  '/': { type: 'prompt', kind: 'search' },
  n: { type: 'searchNext' },
  f: { type: 'prompt', kind: 'filter' },
  g: { type: 'prompt', kind: 'jump' },
  s: { type: 'keySpace' },
  '?': { type: 'help' },
  q: { type: 'quit' },
};

/** What the help overlay shows, in this order. */
export const BINDINGS: ReadonlyArray<[string, string]> = [
  ['↑ ↓  k j', 'move one row (in the focused pane)'],
  ['PgUp PgDn', 'move one page'],
  ['Home End', 'first / last entry (End waits for the index to finish)'],
  ['Tab Shift-Tab', 'next / previous pane: entries, detail, segments, snapshots'],
  ['Enter', "on a segment: go to its first entry"],
  ['/', 'search forward from the selection for a key or value text'],
  ['n', 'the next match of the last search'],
  ['f', 'filter by entry type or request kind (IRRPut,ConfigChange…; empty: all)'],
  ['g', 'go to an entry index'],
  ['s', 'the key space replayed up to the selected entry'],
  ['Esc', 'cancel a prompt, a search, an overlay'],
  ['?', 'this help'],
  ['q', 'quit'],
];

export function commandFor(key: Key, mode: Mode): Command | undefined {
  if (mode === 'prompt') {
    if (key.name === 'enter') return { type: 'submit' };
    if (key.name === 'escape') return { type: 'cancel' };
    if (key.name === 'backspace') return { type: 'erase' };
    if (key.name === 'char') return { type: 'type', text: key.char! };
    return undefined;
  }
  if (mode === 'help') return key.name === 'char' && key.char === 'q' ? { type: 'quit' } : { type: 'cancel' };
  const move = MOVES[key.name];
  if (move) return move;
  if (key.name === 'escape') return { type: 'cancel' };
  if (mode === 'keyspace') return key.name === 'char' && key.char === 'q' ? { type: 'quit' } : key.name === 'char' && key.char === 's' ? { type: 'cancel' } : undefined;
  if (key.name === 'tab') return { type: 'focus', by: 1 };
  if (key.name === 'backTab') return { type: 'focus', by: -1 };
  if (key.name === 'enter') return { type: 'open' };
  if (key.name === 'char') return CHARS[key.char!];
  return undefined;
}
