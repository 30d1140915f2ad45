/** What a check found wrong with a data dir, as verify reports it and the other reports and browse show it. */

export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  code: string;
  message: string;
  file?: string;
  offset?: number;
  /** `walt repair-tail` can fix it. */
  repairable?: boolean;
}

/** The data dir as a whole: the exit status says the same (healthy 0, torn-tail 3, corrupt 1). */
export type Verdict = 'healthy' | 'torn-tail' | 'corrupt';
