/**
 * The status bar's two lines: what the log says of itself (hard state,
 * metadata, where the read starts) and what is going on (a prompt, a message,
 * a search, a filter, the index pass and verify's verdict).
 */
import { idHex } from '../codec/proto/metadata.js';
import type { Session } from './session.js';
import type { Tone } from './theme.js';
import type { ViewState } from './view-state.js';

export interface StatusLine {
  text: string;
  tone?: Tone;
}

const PROMPTS = { search: '/', jump: 'go to index: ', filter: 'filter (entry types or request kinds, comma-separated; empty: all): ' } as const;

export function stateLine(s: Session): StatusLine {
  const scan = s.scan;
  const hs = scan?.hardState;
  const parts = [hs ? `hard state term ${hs.term} vote ${idHex(hs.vote)} commit ${hs.commit}` : scan || s.failures.index ? 'no hard state' : 'hard state: reading…'];
  if (scan?.metadata) parts.push(`node ${idHex(scan.metadata.nodeId)} cluster ${idHex(scan.metadata.clusterId)}`);
  const start = s.start;
  if (start) parts.push(start.snapFile ? `from snapshot ${start.start.index} term ${start.start.term}` : `from index ${start.start.index + 1n}`);
  return { text: parts.join(' · ') };
}

function indexState(s: Session): StatusLine {
  if (s.failures.index) return { text: `cannot read the WAL: ${s.failures.index}`, tone: 'error' };
  if (!s.scan) {
    const pct = s.totalBytes > 0 ? Math.floor((100 * s.bytes) / s.totalBytes) : 0;
    return { text: `indexing ${pct}%`, tone: 'accent' };
  }
  if (s.failures.verify) return { text: `verify failed: ${s.failures.verify}`, tone: 'error' };
  if (!s.verdict) return { text: 'verifying…', tone: 'accent' };
  const errors = s.problems.filter((p) => p.severity === 'error').length;
  const warnings = s.problems.length - errors;
  const counts = [errors && `${errors} error${errors > 1 ? 's' : ''}`, warnings && `${warnings} warning${warnings > 1 ? 's' : ''}`].filter(Boolean).join(', ');
  return { text: `verify: ${s.verdict}${counts ? ` (${counts})` : ''}`, tone: s.verdict === 'healthy' ? (warnings ? 'warning' : 'ok') : 'error' };
}

export function activityLine(s: Session, v: ViewState): StatusLine {
  if (v.prompt) return { text: `${PROMPTS[v.prompt.kind]}${v.prompt.text}▏` };
  const parts: string[] = [];
  if (v.waiting) parts.push(v.waiting);
  if (s.searching) parts.push(`searching for "${s.searching.text}"${s.searching.reached !== undefined ? ` at index ${s.searching.reached}` : ''}… (Esc stops)`);
  if (s.filter) parts.push(`filter ${s.filter.filter.spec}: ${s.filter.count}${s.filter.done ? '' : `+ (reading ${s.filter.reached})`}`);
  const idx = indexState(s);
  const message = v.message ? [v.message] : [];
  const text = [...message, ...parts, idx.text, '? help  q quit'].join(' · ');
  return { text, tone: v.message ? 'warning' : idx.tone };
}
