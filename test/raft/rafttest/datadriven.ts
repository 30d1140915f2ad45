/**
 * The test-file format of cockroachdb/datadriven, which etcd's raft tests use
 * (test_data_reader.go, line_parser.go): directives, each a command line with
 * arguments, optional input lines, `----` and the expected output up to the
 * first blank line (or, after a second `----`, up to a `----` `----` pair).
 */
import { readFileSync } from 'node:fs';

export interface CmdArg {
  key: string;
  vals: string[];
}

export interface TestData {
  /** file:line of the command, for messages. */
  pos: string;
  cmd: string;
  cmdArgs: CmdArg[];
  /** The input lines, trimmed of surrounding whitespace. */
  input: string;
  expected: string;
}

/**
 * Parses `cmd a b=1 c=(1, 2)` (datadriven ParseLine): a value in parentheses
 * is split at top-level commas, and spaces after a comma are skipped.
 */
export function parseLine(line: string, pos: string): { cmd: string; cmdArgs: CmdArg[] } {
  let rest = line.trim();
  const fail = (): never => {
    throw new Error(`${pos}: cannot parse directive: ${line}`);
  };
  const until = (chars: string): string => {
    let i = 0;
    while (i < rest.length && !chars.includes(rest[i])) i++;
    const head = rest.slice(0, i);
    rest = rest.slice(i);
    return head;
  };
  const cmd = until(' ');
  if (cmd === '') fail();
  rest = rest.trim();
  const cmdArgs: CmdArg[] = [];
  while (rest !== '') {
    const arg: CmdArg = { key: until(' ='), vals: [] };
    if (arg.key === '') fail();
    if (rest.startsWith('=')) {
      rest = rest.slice(1);
      if (rest === '' || rest[0] === ' ') {
        arg.vals = [''];
      } else if (rest[0] !== '(') {
        arg.vals = [until(' ')];
      } else {
        let p = 1;
        let depth = 1;
        let start = p;
        while (depth > 0) {
          if (p === rest.length) fail();
          const c = rest[p++];
          if (c === ',' && depth === 1) {
            arg.vals.push(rest.slice(start, p - 1));
            while (p < rest.length && rest[p] === ' ') p++;
            start = p;
          } else if (c === '(') {
            depth++;
          } else if (c === ')') {
            depth--;
          }
        }
        arg.vals.push(rest.slice(start, p - 1));
        rest = rest.slice(p);
      }
    }
    cmdArgs.push(arg);
    rest = rest.trim();
  }
  return { cmd, cmdArgs };
}

/** Every directive of a file, in order. */
export function readTestData(path: string): TestData[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // the newline ending the last line
  let i = 0;
  const next = (): string | undefined => (i < lines.length ? lines[i++].replace(/\r$/, '') : undefined);
  const out: TestData[] = [];
  for (let raw = next(); raw !== undefined; raw = next()) {
    const pos = `${path}:${i}`;
    let line = raw.trim();
    if (line.startsWith('#')) continue;
    for (let cont: string | undefined; line.endsWith('\\') && (cont = next()) !== undefined; ) {
      line = `${line.slice(0, -1)} ${cont.trim()}`;
    }
    const { cmd, cmdArgs } = line === '' ? { cmd: '', cmdArgs: [] } : parseLine(line, pos);
    if (cmd === '') continue;
    const input: string[] = [];
    let separator = false;
    for (let l = next(); l !== undefined; l = next()) {
      if (l === '----') {
        separator = true;
        break;
      }
      input.push(l);
    }
    out.push({ pos, cmd, cmdArgs, input: input.map((l) => `${l}\n`).join('').trim(), expected: separator ? readExpected(next) : '' });
  }
  return out;
}

function readExpected(next: () => string | undefined): string {
  let buf = '';
  let line = next();
  if (line === '----') {
    // Blank lines allowed: ends at two successive `----` lines (and the blank line after them).
    for (line = next(); line !== undefined; line = next()) {
      if (line === '----') {
        const line2 = next();
        if (line2 === '----') {
          next();
          break;
        }
        if (line2 !== undefined) {
          buf += `${line}\n${line2}\n`;
          continue;
        }
      }
      buf += `${line}\n`;
    }
    return buf;
  }
  while (line !== undefined && line.trim() !== '') {
    buf += `${line}\n`;
    line = next();
  }
  return buf;
}

/**
 * The output as datadriven compares it: a newline is added to non-empty
 * output that lacks one (runDirective).
 */
export const asActual = (s: string): string => (s !== '' && !s.endsWith('\n') ? `${s}\n` : s);
