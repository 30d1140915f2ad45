/**
 * JSON output for scripts. uint64 values are bigint in walt and are printed
 * as exact JSON integers (JSON has no limit on digits; JSON.parse in JS would
 * round above 2^53, so IDs are printed as hex strings instead, as etcd does).
 */
const MARK = '\u0000bigint:';
const MARKED = /"\\u0000bigint:(-?\d+)"/g;

export function toJSON(value: unknown, indent?: number): string {
  const s = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? MARK + v.toString() : v), indent);
  return s.includes('bigint:') ? s.replace(MARKED, '$1') : s;
}
