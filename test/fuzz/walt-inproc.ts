/**
 * walt's verify and dump readers on a worker thread, for the fuzzer: the
 * library calls the commands make, without a Node start per case. The
 * fuzzer's host ends the thread when a case takes too long (a hang), and a
 * throw that is not a CodecError (walt's typed failures) is a crash.
 */
import { parentPort } from 'node:worker_threads';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { CodecError } from '../../src/codec/errors.js';
import { dumpEntries, dumpFailure, planDump } from '../../src/report/dump.js';
import { entryTypeName } from '../../src/codec/proto/raftpb.js';
import { verifyWithVerdict } from '../../src/report/verdict.js';
import type { WaltView } from './view.js';

async function read(dir: string): Promise<WaltView> {
  const view: WaltView = { verdict: 'refused', walErrors: [], end: 'error', entries: [] };
  try {
    const paths = resolveDataDir(dir);
    const report = await verifyWithVerdict(paths);
    view.verdict = report.verdict;
    view.walErrors = report.problems.filter((p) => p.severity === 'error' && (p.file === undefined || p.file.startsWith(paths.walDir))).map((p) => p.code);
    const plan = planDump(paths);
    for (const { entry } of dumpEntries(plan)) view.entries.push(`${entry.index}/${entry.term}/${entryTypeName(entry.type)}/${Buffer.from(entry.data ?? []).toString('base64')}`);
    view.end = dumpFailure(plan) ? 'error' : plan.scan.end.kind;
  } catch (e) {
    if (!(e instanceof CodecError)) view.crash = (e as Error).stack ?? String(e);
  }
  return view;
}

parentPort!.on('message', async (dir: string) => parentPort!.postMessage(await read(dir)));
