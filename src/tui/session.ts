/**
 * One browsing session over a data dir: what the worker's index pass has
 * found so far, the rows the entries pane lists (every entry, or those a
 * filter keeps) and the long jobs (search, filter, key-space replay). Plain
 * TypeScript with one `change` event; the components only read it.
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { DataDirPaths } from '../codec/data-dir.js';
import { listSegments, type Segment } from '../codec/segment-name.js';
import { fileSize } from '../codec/snap-file.js';
import type { WalScan } from '../codec/wal-scan.js';
import type { WalSnapshot } from '../codec/proto/walpb.js';
import type { Problem, Verdict } from '../report/problem.js';
import type { SnapList } from '../report/snap-list.js';
import type { EntryFilter } from '../report/entry-filter.js';
import { HIDE_SECRETS, type SecretPolicy } from '../report/secrets.js';
import { OffsetIndex } from './offset-index.js';
import { EntryWindow, type BrowsedEntry } from './entry-window.js';
import { FilterRows, type RowLookup } from './filter.js';
import { searchForward, textMatcher } from './search.js';
import type { SliceJob } from './slices.js';
import { KeySpaceJob } from './keyspace-job.js';
import { describeError, fromWireError, fromWireScan, spawn, type WorkerMessage, type WorkerTask } from './worker-protocol.js';
import { endOfRead, problemsAt } from './problems.js';
import type { K8sObjectDecoder } from '../report/k8s-object-view.js';

export interface SessionOptions {
  /** As dump's --start-index; by default the read starts after the snapshot etcd would load. */
  startIndex?: bigint;
  every?: number;
  /** Passwords, tokens and Kubernetes Secrets in the clear, in every pane and the key space. */
  secrets?: SecretPolicy;
  /** `--decode-values k8s-full`: the detail pane shows a Kubernetes object whole. */
  k8sObjects?: K8sObjectDecoder;
  /**
   * The index pass stops after its first screenful of entries until
   * firstScreenShown() (or a second): on a machine of two cores, loading
   * and drawing the UI would otherwise share them with the pass.
   */
  holdIndex?: boolean;
}

export type Row = { kind: 'entry'; item: BrowsedEntry; problems: Problem[] } | { kind: 'end'; reason: string; problems: Problem[] };

export type Stage = 'index' | 'snaps' | 'verify' | 'keyspace';

export class Session extends EventEmitter {
  readonly allSegments: Array<Segment & { size: number }>;
  start?: { start: WalSnapshot; snapFile?: string; segments: Segment[] };
  bytes = 0;
  totalBytes = 0;
  /** The last index known so far; final once `scan` is set. */
  lastIndex?: bigint;
  scan?: WalScan;
  verdict?: Verdict;
  problems: Problem[] = [];
  snaps?: SnapList;
  failures: Partial<Record<Stage, string>> = {};
  filter?: FilterRows;
  searching?: { text: string; reached?: bigint };
  keySpace?: KeySpaceJob;
  private index?: OffsetIndex;
  private window?: EntryWindow;
  private worker?: Worker;
  private searchJob?: SliceJob;
  private filterBeforeScan = false;
  private changeQueued = false;
  private waiters = new Set<() => boolean>();
  private readonly hold?: Int32Array;

  /** Throws (NOT_A_DATA_DIR, NO_SEGMENTS) before any screen when there is nothing to browse. */
  constructor(
    readonly paths: DataDirPaths,
    readonly opts: SessionOptions = {},
  ) {
    super();
    this.allSegments = listSegments(paths.walDir).map((s) => ({ ...s, size: fileSize(s.path) }));
    this.hold = opts.holdIndex ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const task: WorkerTask = { task: 'index', walDir: paths.walDir, snapDir: paths.snapDir, dataDir: paths.dataDir, startIndex: opts.startIndex, every: opts.every, hold: this.hold?.buffer as SharedArrayBuffer | undefined };
    this.worker = spawn(task, (m) => this.onMessage(m), (e) => this.fail('index', e.message));
    this.worker.on('exit', () => (this.worker = undefined));
  }

  get base(): bigint | undefined {
    return this.start?.start.index;
  }

  /** The index pass has ended, one way or another: the rows will not grow. */
  get indexDone(): boolean {
    return this.scan !== undefined || this.failures.index !== undefined;
  }

  /** The extra last row saying why reading stopped, when it did not stop at a clean end. */
  private endRow(): Row | undefined {
    if (!this.scan || (this.filter && !this.filter.done)) return undefined;
    const end = endOfRead(this.scan);
    return end && { kind: 'end', reason: end.reason, problems: problemsAt(this.problems, end.file, end.offset) };
  }

  rowCount(): number {
    const end = this.endRow() ? 1 : 0;
    if (this.filter) return this.filter.count + end;
    return this.base === undefined || this.lastIndex === undefined ? 0 : Number(this.lastIndex - this.base) + end;
  }

  /** The entry index of a row; undefined for the end row. */
  indexOfRow(row: number): bigint | undefined {
    if (this.base === undefined || row < 0) return undefined;
    if (this.filter) return row < this.filter.count ? this.filter.indexAt(row) : undefined;
    const index = this.base + 1n + BigInt(row);
    return this.lastIndex !== undefined && index <= this.lastIndex ? index : undefined;
  }

  /** The row of the entry at `index` (with a filter: the first kept one at or after it). */
  rowOf(index: bigint): RowLookup {
    if (this.base === undefined) return this.failures.index ? 'never' : 'pending';
    if (this.filter) return this.filter.rowAtOrAfter(index);
    if (index <= this.base) return 'never';
    if (this.lastIndex !== undefined && index <= this.lastIndex) return Number(index - this.base - 1n);
    return this.indexDone ? 'never' : 'pending';
  }

  /** The last row, once the index pass (and any filter) has finished. */
  lastRow(): RowLookup {
    if (!this.indexDone || (this.filter && !this.filter.done)) return 'pending';
    return this.rowCount() > 0 ? this.rowCount() - 1 : 'never';
  }

  rows(top: number, n: number): Row[] {
    const out: Row[] = [];
    const w = this.window;
    if (!w) return out;
    const entryRows = this.filter ? this.filter.count : this.rowCount() - (this.endRow() ? 1 : 0);
    const upto = Math.min(top + n, entryRows);
    const found = this.filter ? [] : w.read(this.indexOfRow(top) ?? 0n, upto - top);
    for (let r = top; r < upto; r++) {
      const item = this.filter ? w.get(this.filter.indexAt(r)) : found[r - top];
      if (item) out.push({ kind: 'entry', item, problems: problemsAt(this.problems, item.segment.path, item.offset) });
    }
    const end = this.endRow();
    if (end && top + n > entryRows) out.push(end);
    return out;
  }

  /** Lets a held index pass go on (see SessionOptions.holdIndex). */
  firstScreenShown(): void {
    if (this.hold && Atomics.exchange(this.hold, 0, 1) === 0) Atomics.notify(this.hold, 0);
  }

  /** Resolves once `probe` gives something other than 'pending'; the index pass or a filter may still be on its way. */
  when(probe: () => RowLookup): { promise: Promise<number | 'never'>; cancel: () => void } {
    let check: () => boolean = () => false;
    const promise = new Promise<number | 'never'>((resolve) => {
      check = () => {
        const r = probe();
        if (r === 'pending') return false;
        resolve(r);
        return true;
      };
    });
    if (!check()) this.waiters.add(check);
    return { promise, cancel: () => this.waiters.delete(check) };
  }

  /**
   * Resolves once the first rows are in (or the index pass has ended, one way
   * or another), or after `ms` at most: browse draws its first frame then, so
   * that ink draws the entries at once rather than an empty frame before them.
   */
  firstRows(ms: number): Promise<void> {
    const { promise, cancel } = this.when(() => (this.rowCount() > 0 || this.indexDone ? 0 : 'pending'));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        cancel();
        resolve();
      }, ms);
      void promise.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The first entry after `after` that holds `text` (and that the filter keeps). */
  search(text: string, after: bigint): Promise<bigint | undefined> {
    this.cancelSearch();
    const w = this.window;
    if (!w) return Promise.resolve(undefined);
    const has = textMatcher(text, this.opts.secrets ?? HIDE_SECRETS);
    const kept = this.filter?.filter;
    this.searching = { text };
    this.changed();
    return new Promise((resolve) => {
      this.searchJob = searchForward(
        w.stream(after + 1n),
        kept ? (e) => has(e) && kept.accepts(e) : has,
        (found) => {
          this.searching = undefined;
          this.searchJob = undefined;
          this.changed();
          resolve(found);
        },
        (reached) => {
          this.searching = { text, reached };
          this.changed();
        },
      );
    });
  }

  cancelSearch(): void {
    this.searchJob?.cancel();
    this.searchJob = undefined;
    if (this.searching) this.changed();
    this.searching = undefined;
  }

  setFilter(filter: EntryFilter | undefined): void {
    this.filter?.cancel();
    this.filter = undefined;
    if (filter && this.window && this.base !== undefined) {
      this.filterBeforeScan = this.scan === undefined;
      this.filter = new FilterRows(filter, this.base, this.window.stream(this.base + 1n), () => this.changed());
    }
    this.changed();
  }

  /** Replays the log up to `atIndex`; a new call or closeKeySpace stops the one before. */
  openKeySpace(atIndex: bigint): void {
    this.keySpace?.stop();
    this.keySpace = new KeySpaceJob(this.paths, atIndex, this.opts.secrets, () => this.changed());
    this.changed();
  }

  closeKeySpace(): void {
    this.keySpace?.stop();
    this.keySpace = undefined;
    this.changed();
  }

  /** Stops every worker and job; the session is not used after. */
  close(): void {
    this.firstScreenShown();
    this.cancelSearch();
    this.filter?.cancel();
    void this.worker?.terminate();
    this.keySpace?.stop();
    this.waiters.clear();
  }

  private onMessage(m: WorkerMessage): void {
    switch (m.type) {
      case 'start':
        this.start = { start: m.start, snapFile: m.snapFile, segments: m.segments };
        this.totalBytes = m.totalBytes;
        this.lastIndex = m.start.index;
        this.index = new OffsetIndex(m.start.index, this.opts.every);
        this.window = new EntryWindow({ segments: m.segments, base: m.start.index, lastIndex: m.start.index, overwrites: [] }, this.index);
        break;
      case 'progress':
        this.index!.applyBatch(m.batch);
        this.bytes = m.bytes;
        this.lastIndex = m.lastIndex;
        this.window!.update({ segments: this.start!.segments, base: this.base!, lastIndex: m.lastIndex, overwrites: [] });
        break;
      case 'scan': {
        const scan = fromWireScan(m.scan);
        this.scan = scan;
        this.lastIndex = scan.lastIndex;
        this.window!.update({ segments: this.start!.segments, base: this.base!, lastIndex: scan.lastIndex, overwrites: scan.overwrites, entryRecords: scan.entryRecords });
        // A filter that ran while the pass was on knew neither the overwrites nor where a damaged log stops.
        if (this.filter && this.filterBeforeScan && (scan.overwrites.length > 0 || endOfRead(scan))) this.setFilter(this.filter.filter);
        break;
      }
      case 'snaps':
        this.snaps = m.snaps;
        break;
      case 'verify':
        this.verdict = m.verdict;
        this.problems = m.problems;
        break;
      case 'failed':
        this.failures[m.stage] = describeError(fromWireError(m.error));
        break;
      default:
        return;
    }
    this.changed();
  }

  private fail(stage: Stage, message: string): void {
    this.failures[stage] = message;
    this.changed();
  }

  /** Coalesces changes: one event per turn of the event loop, after settling any waiters. */
  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    setImmediate(() => {
      this.changeQueued = false;
      for (const w of [...this.waiters]) if (w()) this.waiters.delete(w);
      this.emit('change');
    });
  }
}
