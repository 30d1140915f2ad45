/**
 * `walt dump --format etcd-dump-logs`: the output of etcd 3.4's
 * tools/etcd-dump-logs/main.go, byte for byte (with --show-secrets), for the
 * same data dir and --start-index/--entry-type flags; its --stream-decoder too.
 *
 * What it does, which walt repeats:
 * - --start-index N (N ≠ 0) reads the entries after N, with a start
 *   {index N, term 0}: ReadAll's ErrSnapshotNotFound is tolerated, but a WAL
 *   snapshot record at N has a term, so it fails with ErrSnapshotMismatch.
 * - Otherwise it starts at the snapshot snap.Load() returns (the newest .snap
 *   that reads, whether or not the WAL has a record of it: not
 *   LoadNewestAvailable) and any ReadAll error is fatal.
 * - Entries print by kind, whatever filter passed them: conf changes as
 *   `method=%s id=%s`; anything that unmarshals as an InternalRaftRequest as
 *   its String() (text-format.ts); a v2 Request by printRequest; `???` else.
 *   It knows no EntryConfChangeV2: walt prints those only when asked.
 * - Its output ends without a newline; and with no entries at all it stops
 *   after "WAL entries:" (it indexes ents[len(ents)-1] and panics).
 * - It prints Go structs of 3.4, so fields added in 3.5 are left out.
 * Walt differs where etcd-dump-logs would write: it renames no broken .snap
 * (snap.Load does) and deletes nothing. A WAL dir given without a snap dir
 * reads as a data dir with no snapshot (etcd-dump-logs needs DATA/member/snap).
 * A decoder's replies are read through one buffer (etcd-dump-logs makes a new
 * bufio.Reader per entry, which drops whatever a decoder wrote ahead). Without
 * --show-secrets, passwords and tokens print as "<value removed>", and so does
 * a decoder's output for an entry that holds one.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { openWal, type DataDirPaths } from '../codec/data-dir.js';
import { loadNewestSnap } from '../codec/snap-file.js';
import { scanFailure } from '../codec/wal-scan.js';
import { standingEntries } from '../codec/wal-entries.js';
import { CodecError } from '../codec/errors.js';
import { idHex } from '../codec/proto/metadata.js';
import { ConfChangeTransition, ConfChangeType, EntryType, type ConfChange, type ConfChangeV2, type Entry } from '../codec/proto/raftpb.js';
import { AuthUserAddRequestSpec, AuthUserChangePasswordRequestSpec, InternalRaftRequestSpec, RequestSpec } from '../codec/proto/etcdserverpb.js';
import type { FieldSpec, MessageSpec, Msg } from '../codec/proto/message.js';
import { decodeConfChangeEntry, decodeNormalEntry, type DecodedRequest } from '../codec/request.js';
import { goQuote, redactSecrets } from './render.js';
import { carriesSecret, REDACTED, type SecretPolicy } from './secrets.js';
import { compactTextString, decodeForText, type TextOptions } from '../codec/text-format.js';
import { etcdDefaultFilter, isInternalRaftRequest, parseEntryTypes } from './entry-filter.js';

export interface DumpLogsOptions {
  /** Entries after this index (exclusive, as etcd-dump-logs takes it); 0 or none: from the snapshot. */
  startIndex?: bigint;
  /** A comma-separated --entry-type list; none: etcd-dump-logs' default. */
  entryTypes?: string;
  /** A command, split on spaces, fed each entry's data as a hex line and answering `status|data` lines. */
  streamDecoder?: string;
  secrets: SecretPolicy;
}

export interface DumpLogsSink {
  line(s: string, latin1?: boolean): void;
  /** Text after the last newline: etcd-dump-logs 3.4 ends its output without one. */
  tail(s: string): void;
  /** For stderr. */
  warn(s: string): void;
}

export type DumpLogsStopCode = 'NO_ENTRIES' | 'DECODER_EOF' | 'DECODER_FAILED';

/** Where etcd-dump-logs stops short (it panics or returns); what it printed so far has been printed. */
export class DumpLogsStop extends Error {
  constructor(
    readonly code: DumpLogsStopCode,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DumpLogsStop';
  }
}

const fieldOf = (spec: MessageSpec, name: string): FieldSpec => spec.fields.find((f) => f.name === name)!;

/** Fields etcd 3.4's Go structs lack (raft_internal.proto, rpc.proto of 3.5 and 3.6): Unmarshal skips them. */
const newerThan34 = new Set<FieldSpec>([
  ...['auth_status', 'cluster_version_set', 'cluster_member_attr_set', 'downgrade_info_set', 'downgrade_version_test'].map((n) => fieldOf(InternalRaftRequestSpec, n)),
  fieldOf(AuthUserAddRequestSpec, 'hashedPassword'),
  fieldOf(AuthUserChangePasswordRequestSpec, 'hashedPassword'),
]);

/**
 * Prints the data dir as etcd-dump-logs does. Throws CodecError where it
 * exits with "Failed opening/reading WAL", DumpLogsStop where it stops short,
 * and the spawn error when the decoder cannot start.
 */
export async function dumpLogs(paths: DataDirPaths, opts: DumpLogsOptions, out: DumpLogsSink): Promise<void> {
  const fromIndex = opts.startIndex ?? 0n;
  const isIndex = fromIndex !== 0n;
  const filter = opts.entryTypes ? parseEntryTypes(opts.entryTypes) : etcdDefaultFilter;
  let start = { index: fromIndex, term: 0n };
  if (isIndex) {
    out.line(`Start dumping log entries from index ${fromIndex}.`);
  } else {
    const snap = paths.snapDir ? loadNewestSnap(paths.snapDir).loaded?.snapshot : undefined;
    out.line('Snapshot:');
    if (snap) {
      start = { index: snap.metadata.index, term: snap.metadata.term };
      out.line(`term=${start.term} index=${start.index} nodes=[${snap.metadata.confState.voters.map(idHex).join(' ')}]`);
    } else {
      out.line('empty');
    }
    out.line('Start dupmping log entries from snapshot.'); // sic
  }

  const { segments, scan } = openWal(paths, start);
  const failure = scanFailure(scan) ?? (isIndex || scan.snapshotMatched ? undefined : snapshotNotFound(paths, start));
  if (failure) throw failure;
  const hs = scan.hardState ?? { term: 0n, vote: 0n, commit: 0n };
  out.line('WAL metadata:');
  out.line(`nodeID=${idHex(scan.metadata?.nodeId ?? 0n)} clusterID=${idHex(scan.metadata?.clusterId ?? 0n)} term=${hs.term} commitIndex=${hs.commit} vote=${idHex(hs.vote)}`);
  out.line('WAL entries:');
  if (scan.entryCount === 0) throw new DumpLogsStop('NO_ENTRIES', `no entries after index ${start.index} (etcd-dump-logs 3.4 panics here: index out of range [-1])`);
  out.line(`lastIndex=${scan.lastIndex}`);
  out.line(`term\t     index\ttype\tdata${opts.streamDecoder ? '\tdecoder_status\tdecoded_data' : ''}`);

  const decoder = opts.streamDecoder ? await StreamDecoder.start(opts.streamDecoder) : undefined;
  const text = textOptions(opts.secrets);
  let count = 0;
  for (const { entry } of standingEntries(segments, scan)) {
    const request = entry.type === EntryType.EntryNormal ? decodeNormalEntry(entry.data) : undefined;
    if (!filter.accepts(entry, request)) continue;
    count++;
    const line = entryLine(entry, request, text);
    if (!decoder) {
      out.line(line);
      continue;
    }
    const reply = await decoder.exchange(Buffer.from(entry.data ?? []).toString('hex'));
    if (reply === undefined) {
      out.line(`${line}EOF`);
      await decoder.finish();
      throw new DumpLogsStop('DECODER_EOF', `the stream decoder closed its output before answering entry ${entry.index}`, { index: entry.index });
    }
    const [status, data] = parseDecoderOutput(reply);
    const shown = request && carriesSecret(request, opts.secrets) ? REDACTED : data.slice(0, -1);
    // The decoder's bytes go out as they came (latin1 is one char per byte); the entry's text is UTF-8.
    out.line(`${Buffer.from(line, 'utf8').toString('latin1')}\t${status}\t${shown}`, true);
  }
  if (decoder) {
    const { code, signal, stderr } = await decoder.finish();
    if (code !== 0) throw new DumpLogsStop('DECODER_FAILED', `the stream decoder exited with ${signal ? `signal ${signal}` : `status ${code}`}`, { code, signal });
    if (stderr !== '') out.warn(`decoder stderr: ${stderr}`);
  }
  out.line('');
  out.tail(`Entry types (${filter.spec}) count is : ${count}`);
}

function snapshotNotFound(paths: DataDirPaths, start: { index: bigint; term: bigint }): CodecError {
  return new CodecError('SNAPSHOT_NOT_FOUND', `no WAL snapshot record for the snapshot at index ${start.index} term ${start.term} (etcd's ErrSnapshotNotFound)`, { file: paths.walDir });
}

function textOptions(secrets: SecretPolicy): TextOptions {
  return { omit: (_, f) => newerThan34.has(f), ...(!secrets.show && { rewrite: redactSecrets(secrets) }) };
}

/** One entry as the printer etcd-dump-logs picks for its kind prints it. */
function entryLine(e: Entry, request: DecodedRequest | undefined, text: TextOptions): string {
  const head = `${String(e.term).padStart(4)}\t${String(e.index).padStart(10)}`;
  const data = e.data ?? new Uint8Array(0);
  if (e.type === EntryType.EntryConfChange) {
    const c = decodeConfChangeEntry(e).change as ConfChange | undefined;
    return `${head}\tconf\t${c ? `method=${ConfChangeType[c.type] ?? c.type} id=${idHex(c.nodeId)}` : '???'}`;
  }
  if (e.type === EntryType.EntryConfChangeV2) return `${head}\tconf2\t${confChangeV2Text(decodeConfChangeEntry(e).change as ConfChangeV2 | undefined)}`;
  if (request && isInternalRaftRequest(request)) return `${head}\tnorm\t${compactTextString(InternalRaftRequestSpec, decodeForText(InternalRaftRequestSpec, data), text)}`;
  if (request?.wire === 'Request') return `${head}\tnorm\t${requestText(decodeForText(RequestSpec, data), text)}`;
  return `${head}\tnorm\t???`;
}

/** walt's own, in printConfChange's style: etcd-dump-logs 3.4 to 3.6 print no EntryConfChangeV2. */
function confChangeV2Text(c: ConfChangeV2 | undefined): string {
  if (c === undefined) return '???';
  return [`transition=${ConfChangeTransition[c.transition] ?? c.transition}`, ...c.changes.map((s) => `method=${ConfChangeType[s.type] ?? s.type} id=${idHex(s.nodeId)}`)].join(' ');
}

const utf8 = (v: string | Uint8Array): string => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));

/** printRequest: a v2 Request by its method. */
function requestText(raw: Msg, text: TextOptions): string {
  const r = text.rewrite ? text.rewrite(RequestSpec, raw) : raw;
  const method = utf8(r.Method ?? '');
  switch (method) {
    case '':
      return 'noop';
    case 'SYNC':
      return `method=SYNC time=${goQuote(goTime(r.Time))}`;
    case 'QGET':
    case 'DELETE':
      return `method=${method} path=${excerpt(r.Path ?? '', 64, 64)}`;
    default:
      return `method=${method} path=${excerpt(r.Path ?? '', 64, 64)} val=${excerpt(r.Val ?? '', 128, 0)}`;
  }
}

/** main.go excerpt: %q of the whole, or of the first `pre` and last `suf` bytes (even when they add up to it). */
function excerpt(v: string | Uint8Array, pre: number, suf: number): string {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  if (pre + suf > b.length) return goQuote(b);
  return `${goQuote(b.subarray(0, pre))}...${goQuote(b.subarray(b.length - suf))}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The local zone's abbreviation at `d`, as Go names it. Go reads tzdata;
 * Intl's short names are tzdata's for UTC and for most zones of the Americas,
 * but elsewhere Intl may say "GMT+1" where Go says "CET": compare outputs with
 * TZ=UTC. An empty TZ is UTC to Go (time/zoneinfo_unix.go initLocal) and
 * "GMT+0" to Intl.
 */
function zoneAbbreviation(d: Date): string {
  if (process.env.TZ === '') return 'UTC';
  return new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** Go's time.Unix(0, ns).String() in the local zone: "2006-01-02 15:04:05.999999999 -0700 MST". */
function goTime(ns: bigint): string {
  const sec = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const frac = ns - sec * 1_000_000_000n;
  const d = new Date(Number(sec) * 1000);
  const off = -d.getTimezoneOffset();
  const fraction = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  const offset = `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${fraction} ${offset} ${zoneAbbreviation(d)}`;
}

/** main.go parseDecoderOutput, on a reply that still ends in its newline. */
function parseDecoderOutput(reply: string): [status: string, data: string] {
  const parts = reply.split('|');
  if (parts.length === 1) return ['decoder output format is not right, print output anyway', reply];
  if (parts.length === 2) return [parts[0], parts[1]];
  return [`${parts[0]}(*WARNING: data might contain deliminator used by etcd-dump-logs)`, parts.slice(1).join('')];
}

/**
 * The --stream-decoder child: one hex line in, one line out per entry, as
 * main.go listEntriesType drives it. Its output is read as latin1 so that any
 * bytes it prints are passed on unchanged; stderr is kept for the end.
 */
class StreamDecoder {
  private buffered = '';
  private ended = false;
  private wake?: () => void;
  private readonly stderr: Buffer[] = [];
  private readonly spawned: Promise<void>;
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;

  /** Runs `command` split on single spaces, as exec.Command(strings.Split(cmd, " ")...) does. */
  private constructor(command: string) {
    const [file, ...args] = command.split(' ');
    const child = (this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    this.spawned = new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.closed = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (s: string) => {
      this.buffered += s;
      this.wake?.();
    });
    child.stdout.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    child.stderr.on('data', (b: Buffer) => this.stderr.push(b));
    // A decoder that quit takes no more input; its closed output says so.
    child.stdin.on('error', () => undefined);
  }

  /** Resolves once the command runs; rejects with the spawn error (ENOENT, EACCES) when it cannot. */
  static async start(command: string): Promise<StreamDecoder> {
    const decoder = new StreamDecoder(command);
    await decoder.spawned;
    return decoder;
  }

  /** Sends one line and returns the reply with its newline, or undefined when output ends first. */
  async exchange(hex: string): Promise<string | undefined> {
    this.child.stdin.write(hex + '\n');
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const reply = this.buffered.slice(0, nl + 1);
        this.buffered = this.buffered.slice(nl + 1);
        return reply;
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Closes its input and waits for it to exit. */
  async finish(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    this.child.stdin.end();
    const { code, signal } = await this.closed;
    return { code, signal, stderr: Buffer.concat(this.stderr).toString('utf8') };
  }
}
