/**
 * `/` in browse: the next entry after the selection that holds a text, read
 * forward as a stream in slices (slices.ts), so a search through millions of
 * entries keeps the screen live and can be stopped.
 */
import { EntryType, type Entry } from '../codec/proto/raftpb.js';
import { decodeNormalEntry } from '../codec/request.js';
import { carriesSecret, type SecretPolicy } from '../report/secrets.js';
import { requestKeys } from '../codec/request-keys.js';
import { runInSlices, type SliceJob } from './slices.js';

const contains = (b: Uint8Array, needle: Buffer) => Buffer.from(b.buffer, b.byteOffset, b.length).indexOf(needle) >= 0;

/**
 * Whether an entry holds `text` (UTF-8) as etcd stored it: in a key, a value,
 * or other text the request carries (a v2 path, a member's name). Keys and
 * values lie in the entry's data byte for byte (protobuf bytes fields), so
 * most entries are ruled out without being decoded. In an entry that carries a
 * secret (a password, a Kubernetes Secret) only the keys are searched: a
 * search must not confirm a guess at a secret that the screen redacts.
 */
export function textMatcher(text: string, secrets: SecretPolicy): (e: Entry) => boolean {
  const needle = Buffer.from(text, 'utf8');
  return (e) => {
    if (!e.data || e.data.length < needle.length || !contains(e.data, needle)) return false;
    if (e.type !== EntryType.EntryNormal) return true;
    const d = decodeNormalEntry(e.data);
    return !carriesSecret(d, secrets) || requestKeys(d).some((k) => contains(k.key, needle));
  };
}

/** Entries read between progress reports and deadline checks. */
const CHECK_EVERY = 256;

/**
 * Pulls `entries` until one matches; `onDone` gets its index, or undefined at
 * the end of the log. `onProgress` hears the index reached now and then.
 */
export function searchForward(entries: Generator<Entry>, match: (e: Entry) => boolean, onDone: (found: bigint | undefined) => void, onProgress?: (index: bigint) => void): SliceJob {
  let found: bigint | undefined;
  return runInSlices(
    (deadline) => {
      for (let n = 1; ; n++) {
        const r = entries.next();
        if (r.done) return true;
        if (match(r.value)) {
          found = r.value.index;
          return true;
        }
        if (n % CHECK_EVERY === 0) {
          onProgress?.(r.value.index);
          if (Date.now() >= deadline) return false;
        }
      }
    },
    () => {
      entries.return(undefined);
      onDone(found);
    },
    () => entries.return(undefined),
  );
}
