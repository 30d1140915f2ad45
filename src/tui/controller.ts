/**
 * What each command does: moves are pure (view-state.ts); jumps, searches,
 * filters and the key space go to the session, and their answers, which may
 * come later (the index pass or a filter still on its way), come back as
 * view updates. The App renders; this decides.
 */
import { EntryTypeError, parseEntryTypes } from '../report/entry-filter.js';
import type { Command } from './keymap.js';
import type { Session } from './session.js';
import { cycleFocus, move, pageOf, selectRow, type Bounds, type ViewState } from './view-state.js';

type Update = (f: (v: ViewState) => ViewState) => void;

export class Controller {
  /** The jump waiting for its row, if any: a newer one replaces it. */
  private pending?: { cancel(): void };
  private bounds?: Bounds;
  private topPage = 1;

  constructor(
    private readonly session: Session,
    private readonly update: Update,
    private readonly quit: () => void,
  ) {}

  /** The sizes of what is on screen now, from the last render. */
  setBounds(b: Bounds, topPage: number): void {
    this.bounds = b;
    this.topPage = topPage;
  }

  /** Bounds with the row count as it is now (it grows between renders while the index is built). */
  private now(): Bounds {
    return { ...this.bounds!, rows: this.session.rowCount() };
  }

  run(cmd: Command, v: ViewState): void {
    const b = this.now();
    switch (cmd.type) {
      case 'move':
        return this.update((s) => move(s, cmd.by, b));
      case 'page':
        return this.update((s) => move(s, cmd.by * pageOf(s, b, this.topPage), b));
      case 'home':
        return this.update((s) => move(s, 'first', b));
      case 'end':
        if (v.focus === 'entries' && !v.overlay) return this.goTo(() => this.session.lastRow(), 'the end of the log', 'the log has no entries');
        return this.update((s) => move(s, 'last', b));
      case 'focus':
        return this.update((s) => cycleFocus(s, cmd.by));
      case 'open':
        return this.openSegment(v);
      case 'prompt':
        return this.update((s) => ({ ...s, prompt: { kind: cmd.kind, text: '' }, message: undefined }));
      case 'type':
        return this.update((s) => (s.prompt ? { ...s, prompt: { ...s.prompt, text: s.prompt.text + cmd.text } } : s));
      case 'erase':
        return this.update((s) => (s.prompt ? { ...s, prompt: { ...s.prompt, text: s.prompt.text.slice(0, -1) } } : s));
      case 'submit':
        this.update((s) => ({ ...s, prompt: undefined }));
        return this.submit(v);
      case 'cancel':
        return this.cancel(v);
      case 'searchNext':
        if (v.lastSearch) return this.search(v.lastSearch, v);
        return this.update((s) => ({ ...s, message: 'no search yet: / starts one' }));
      case 'keySpace':
        return this.openKeySpace(v);
      case 'help':
        return this.update((s) => ({ ...s, overlay: 'help' }));
      case 'quit':
        this.pending?.cancel();
        return this.quit();
    }
  }

  private submit(v: ViewState): void {
    const p = v.prompt;
    if (!p) return;
    const text = p.text.trim();
    if (p.kind === 'jump') {
      if (!/^\d+$/.test(text)) return this.update((s) => ({ ...s, message: `not an entry index: "${text}"` }));
      const index = BigInt(text);
      return this.goTo(() => this.session.rowOf(index), `index ${index}`, this.noEntry(index));
    }
    if (p.kind === 'search') {
      if (text === '') return;
      this.update((s) => ({ ...s, lastSearch: p.text }));
      return this.search(p.text, v);
    }
    this.filter(text, v);
  }

  private filter(spec: string, v: ViewState): void {
    const current = this.session.indexOfRow(v.row);
    try {
      this.session.setFilter(spec === '' ? undefined : parseEntryTypes(spec));
    } catch (e) {
      if (!(e instanceof EntryTypeError)) throw e;
      return this.update((s) => ({ ...s, message: e.message }));
    }
    this.update((s) => ({ ...s, row: 0, top: 0, message: spec === '' ? 'filter cleared' : undefined }));
    // Stay on the entry that was selected, or the first kept one after it.
    if (current !== undefined) this.goTo(() => this.session.rowOf(current), `the filter to reach index ${current}`, undefined);
  }

  private search(text: string, v: ViewState): void {
    const after = this.session.indexOfRow(v.row) ?? this.session.base ?? 0n;
    this.pending?.cancel();
    void this.session.search(text, after).then((found) => {
      if (found === undefined) return this.update((s) => ({ ...s, message: `"${text}" not found after index ${after}` }));
      this.goTo(() => this.session.rowOf(found), `index ${found}`, undefined);
    });
  }

  /** Selects the row `probe` finds, now or when it is known; `never` is said when there is none. */
  private goTo(probe: () => number | 'pending' | 'never', what: string, never: string | undefined): void {
    this.pending?.cancel();
    const wait = this.session.when(probe);
    this.pending = wait;
    if (probe() === 'pending') this.update((s) => ({ ...s, waiting: `waiting for ${what}…`, message: undefined }));
    void wait.promise.then((row) => {
      if (this.pending !== wait) return;
      this.pending = undefined;
      this.update((s) => {
        const cleared = { ...s, waiting: undefined, focus: s.overlay ? s.focus : ('entries' as const) };
        return row === 'never' ? { ...cleared, message: never } : { ...selectRow(cleared, row, this.now()), message: undefined };
      });
    });
  }

  private noEntry(index: bigint): string {
    const s = this.session;
    if (s.filter) return `no entry at or after ${index} passes the filter "${s.filter.filter.spec}"`;
    const base = s.base ?? 0n;
    return `no entry ${index}: this read has ${base + 1n}–${s.lastIndex ?? base}${index <= base ? ' (use --start-index to read from earlier)' : ''}`;
  }

  private openSegment(v: ViewState): void {
    if (v.focus !== 'segments') return;
    const seg = this.session.allSegments[v.segRow];
    const base = this.session.base;
    if (!seg || base === undefined) return;
    // A segment's name carries the index of the first entry written to it.
    const first = seg.index > base ? seg.index : base + 1n;
    this.goTo(() => this.session.rowOf(first), `index ${first}`, this.noEntry(first));
  }

  private openKeySpace(v: ViewState): void {
    const index = this.session.indexOfRow(v.row);
    if (index === undefined) return this.update((s) => ({ ...s, message: 'select an entry first' }));
    this.session.openKeySpace(index);
    this.update((s) => ({ ...s, overlay: 'keyspace', keyTop: 0 }));
  }

  private cancel(v: ViewState): void {
    if (v.prompt) return this.update((s) => ({ ...s, prompt: undefined }));
    if (v.overlay) {
      if (v.overlay === 'keyspace') this.session.closeKeySpace();
      return this.update((s) => ({ ...s, overlay: undefined }));
    }
    if (this.session.searching) return this.session.cancelSearch();
    if (this.pending) {
      this.pending.cancel();
      this.pending = undefined;
    }
    this.update((s) => ({ ...s, waiting: undefined, message: undefined }));
  }
}
