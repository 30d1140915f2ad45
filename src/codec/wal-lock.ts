/**
 * Is a running etcd using this WAL? etcd locks every segment it has open
 * (wal/wal.go openAtIndex and cut, through pkg/fileutil.LockFile): on Linux an
 * open-file-description lock (F_OFD_SETLKW, pkg/fileutil/lock_linux.go), with
 * flock(LOCK_EX) as the fallback. The kernel lists both in /proc/locks by
 * device and inode; an OFD lock shows pid -1 there, so its holder is found
 * through /proc/PID/fdinfo, whose "lock:" lines name the locks on that fd.
 */
import { readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';

export interface LockHolder {
  /** The locked file. */
  file: string;
  /** FLOCK, OFDLCK or POSIX. */
  kind: string;
  /** The holding process, when it can be found. */
  pid?: number;
  /** Its name (/proc/PID/comm), such as "etcd". */
  command?: string;
}

interface FileId {
  file: string;
  /** "MAJ:MIN:INODE" as /proc/locks prints it: major and minor in hex, at least two digits. */
  key: string;
}

/** Linux's dev_t encoding (glibc gnu_dev_major/gnu_dev_minor). */
function fileId(file: string): FileId {
  const st = statSync(file, { bigint: true });
  const major = ((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn);
  const minor = (st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn);
  const hex = (n: bigint) => n.toString(16).padStart(2, '0');
  return { file, key: `${hex(major)}:${hex(minor)}:${st.ino}` };
}

// "1: FLOCK  ADVISORY  WRITE 1234 fe:00:2154970 0 EOF", or "1: -> FLOCK ..." for a waiter.
const LOCK_LINE = /^(?:lock:\s*)?\d+:\s+(->\s+)?(\S+)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+:[0-9a-f]+:\d+)\s/;

function readProcLocks(): string[] {
  try {
    return readFileSync('/proc/locks', 'utf8').split('\n');
  } catch {
    return []; // not Linux, or no procfs: nothing can be told
  }
}

/** Processes holding a lock on any of `files` (an empty list when none, or when /proc cannot tell). */
export function lockHolders(files: string[]): LockHolder[] {
  const ids = new Map<string, string>();
  for (const f of files) {
    const id = fileId(f);
    ids.set(id.key, id.file);
  }
  const out: LockHolder[] = [];
  for (const line of readProcLocks()) {
    const m = LOCK_LINE.exec(line);
    if (!m || m[1]) continue; // a waiter does not hold the lock
    const file = ids.get(m[4]);
    if (!file) continue;
    const pid = Number(m[3]);
    out.push({ file, kind: m[2], ...(pid > 0 ? { pid } : findOfdHolder(m[4], file)) });
  }
  for (const h of out) if (h.pid !== undefined) h.command = commandOf(h.pid);
  return out;
}

/**
 * The process with `file` open whose fd carries the lock on `key`: OFD locks
 * are listed in /proc/locks without a pid.
 */
function findOfdHolder(key: string, file: string): { pid?: number } {
  const target = realpathSync(file);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return {};
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== target) continue;
        const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        if (info.split('\n').some((l) => LOCK_LINE.exec(l)?.[4] === key)) return { pid: Number(pid) };
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return {};
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
