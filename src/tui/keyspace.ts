/**
 * The key space as it stood after a given entry (`s` in browse): the log
 * replayed through replay-to-state's code (src/replay/replay.ts) with
 * `atIndex`, listed as `etcdctl get "" --prefix` would list it. Rows are made
 * here, in the worker, so only text crosses to the UI thread.
 */
import type { DataDirPaths } from '../codec/data-dir.js';
import { goQuote, type RenderOptions } from '../report/render.js';
import { replayDataDir } from '../replay/replay.js';
import { valueExcerpt } from './entry-row.js';

export interface KeySpaceRow {
  key: string;
  value: string;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
  lease: bigint;
}

export interface KeySpace {
  atIndex: bigint;
  /** The last index applied: below atIndex when the log (or its commit index) ends first. */
  appliedIndex: bigint;
  revision: bigint;
  source: 'wal' | 'db';
  rows: KeySpaceRow[];
}

export function keySpaceAt(paths: DataDirPaths, atIndex: bigint, opts: RenderOptions = {}): KeySpace {
  // Only the live keys are shown: no need to keep every revision.
  const r = replayDataDir(paths, { from: 'auto', atIndex, keepHistory: false });
  const { kvs } = r.state.range(new Uint8Array(0), new Uint8Array([0]));
  return {
    atIndex,
    appliedIndex: r.appliedIndex,
    revision: r.state.store.currentRev,
    source: r.source,
    rows: kvs.map((kv) => ({
      key: goQuote(kv.key),
      value: valueExcerpt(kv.key, kv.value, opts),
      createRevision: kv.createRevision,
      modRevision: kv.modRevision,
      version: kv.version,
      lease: kv.lease,
    })),
  };
}
