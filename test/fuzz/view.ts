/** What walt made of a damaged data dir, in-process or from its processes' output, for the fuzzer to judge. */
export interface WaltView {
  /** verify's verdict, or 'refused' when it could not start (a typed error). */
  verdict: 'healthy' | 'torn-tail' | 'corrupt' | 'refused';
  /** Codes of verify's errors in the WAL dir. */
  walErrors: string[];
  /** How dump's reading ended: eof, torn or error. */
  end: string;
  /** Entries as `index/term/type/base64 data`, etcd's reading order. */
  entries: string[];
  /** A throw that is not one of walt's typed failures, with its stack. */
  crash?: string;
}
