/** How repair-tail and cut print a refusal (report/preflight.ts) on stderr. */
import type { Refusal } from '../report/preflight.js';

/** "walt: FILE at byte N: message", then the advice. */
export function renderRefusal(r: Refusal): string {
  const where = r.file ? `${r.file}${r.offset !== undefined ? ` at byte ${r.offset}` : ''}: ` : '';
  return [`walt: ${where}${r.message}`, ...r.advice.map((a) => `  ${a}`)].join('\n') + '\n';
}
