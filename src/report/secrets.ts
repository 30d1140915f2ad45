/**
 * The one policy for what walt withholds from its output. Every command and
 * format asks here; none decides for itself.
 *
 * Withheld unless `--show-secrets`:
 * - passwords, password hashes and auth tokens: etcd-dump-logs redacts the
 *   clear-text password of auth_user_change_password, etcd's own log
 *   stringer (etcdserverpb/raft_internal_stringer.go) also auth_user_add's;
 *   we add the bcrypt hashes of 3.5+ (crackable offline), the simple token an
 *   authenticate entry hands out (a live credential until it expires), and a
 *   v2 user's password (etcdserver/api/v2auth keeps users as JSON under
 *   /2/users/);
 * - the values of keys under a secret prefix (Kubernetes' /registry/secrets/,
 *   OpenShift's /kubernetes.io/secrets/, and any `--secret-prefix`);
 * - a Kubernetes object of kind Secret under any key.
 *
 * A withheld Kubernetes object decoded whole (`--decode-values k8s-full`)
 * still shows what names it (withholdK8sObject): apiVersion, kind, metadata
 * with its annotations' values withheld (`kubectl apply` keeps the whole
 * object, data and all, in one), a Secret's type, and the keys of its data.
 *
 * How a withheld value prints: text shows REDACTED; JSON keeps each field's
 * type, so a withheld value is `null` and the object that held it carries
 * `"redacted": true` (a base64 field never holds anything but base64).
 */
import { isK8sSecretObject } from '../codec/k8s.js';
import * as pb from '../codec/proto/etcdserverpb.js';
import { UserSpec } from '../codec/proto/bucket-values.js';
import type { MessageSpec, Msg } from '../codec/proto/message.js';
import type { DecodedRequest } from '../codec/request.js';

/** What text output prints for a withheld value (etcd-dump-logs' placeholder, tools/etcd-dump-logs/main.go). */
export const REDACTED = '<value removed>';

/** Where Kubernetes (`--etcd-prefix=/registry`) and OpenShift (`/kubernetes.io`) keep Secrets. */
export const DEFAULT_SECRET_PREFIXES: readonly string[] = ['/registry/secrets/', '/kubernetes.io/secrets/'];

export interface SecretPolicy {
  /** `--show-secrets`: withhold nothing. */
  readonly show: boolean;
  /** Keys whose values are secrets: the defaults and every `--secret-prefix`. */
  readonly prefixes: readonly Uint8Array[];
}

export interface SecretOptions {
  showSecrets?: boolean;
  /** Added to DEFAULT_SECRET_PREFIXES, never in place of them. */
  secretPrefix?: readonly string[];
}

export function secretPolicy(opts: SecretOptions = {}): SecretPolicy {
  const prefixes = [...new Set([...DEFAULT_SECRET_PREFIXES, ...(opts.secretPrefix ?? [])])].filter((p) => p !== '');
  return { show: !!opts.showSecrets, prefixes: prefixes.map((p) => Buffer.from(p, 'utf8')) };
}

/** The policy of a command run without secret flags. */
export const HIDE_SECRETS: SecretPolicy = secretPolicy();
/** `--show-secrets`. */
export const SHOW_SECRETS: SecretPolicy = secretPolicy({ showSecrets: true });

/** Whether the key in buf[start, end) lies under a secret prefix. Byte by byte: this runs on every put a dump prints. */
export function isSecretKeyAt(p: SecretPolicy, buf: Uint8Array, start: number, end: number): boolean {
  next: for (const prefix of p.prefixes) {
    if (end - start < prefix.length) continue;
    for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) continue next;
    return true;
  }
  return false;
}

/** Whether the value of this key is withheld: a secret prefix, or a Kubernetes Secret under any key. */
export function hidesValue(p: SecretPolicy, key: Uint8Array | undefined, value: Uint8Array | undefined): boolean {
  if (p.show || value === undefined || value.length === 0) return false;
  return (key !== undefined && isSecretKeyAt(p, key, 0, key.length)) || isK8sSecretObject(value);
}

/** Top-level fields of a withheld object that name it rather than hold its content. */
const K8S_NAMING_FIELDS = new Set(['apiVersion', 'kind', 'type', 'immutable']);
/** Maps whose keys name a value (a Secret's, a ConfigMap's) and whose values are the content. */
const K8S_DATA_MAPS = new Set(['data', 'stringData', 'binaryData']);

/**
 * A withheld Kubernetes object (as k8s-object-view.ts prints it), reduced to
 * what names it: every other field's value is null, and the object carries
 * `"redacted": true`.
 */
export function withholdK8sObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const nullValues = (m: unknown) => (m !== null && typeof m === 'object' ? Object.fromEntries(Object.keys(m).map((k) => [k, null])) : null);
  for (const [k, v] of Object.entries(o)) {
    if (K8S_NAMING_FIELDS.has(k)) out[k] = v;
    else if (K8S_DATA_MAPS.has(k)) out[k] = nullValues(v);
    else if (k === 'metadata' && v !== null && typeof v === 'object') {
      const meta = v as Record<string, unknown>;
      out.metadata = 'annotations' in meta ? { ...meta, annotations: nullValues(meta.annotations) } : meta;
    } else out[k] = null;
  }
  out.redacted = true;
  return out;
}

const secretFields = new Map<MessageSpec, ReadonlySet<string>>([
  [pb.AuthUserAddRequestSpec, new Set(['password', 'hashedPassword'])],
  [pb.AuthUserChangePasswordRequestSpec, new Set(['password', 'hashedPassword'])],
  [pb.InternalAuthenticateRequestSpec, new Set(['password', 'simple_token'])],
  [UserSpec, new Set(['password'])],
]);

/** The fields of this message that always hold a credential (a password, a hash, a token). */
export const credentialFields = (spec: MessageSpec): ReadonlySet<string> | undefined => secretFields.get(spec);

/** A v2 user (etcdserver/api/v2auth): JSON with a bcrypt `password`, under this path. */
const v2UsersPrefix = '/2/users/';

export const isV2UserPath = (path: unknown): boolean => typeof path === 'string' && path.startsWith(v2UsersPrefix);

/**
 * A v2 user's JSON with its password withheld (as `replacement`), or the
 * text unchanged when it holds none.
 */
export function withoutV2Password(val: string, replacement: string | null = REDACTED): string {
  try {
    const user = JSON.parse(val);
    if (user !== null && typeof user === 'object' && typeof user.password === 'string') return JSON.stringify({ ...user, password: replacement });
  } catch {
    // Not JSON: nothing we know to be a secret.
  }
  return val;
}

/**
 * Whether an entry's request carries something withheld, so that its raw
 * bytes (which hold it too) are withheld with the decoded field.
 */
export function carriesSecret(d: DecodedRequest, p: SecretPolicy): boolean {
  if (p.show) return false;
  switch (d.kind) {
    case 'auth_user_add':
    case 'auth_user_change_password':
    case 'authenticate':
      return true;
    case 'v2':
      return isV2UserPath(d.v2?.Path);
    default:
      return d.wire === 'InternalRaftRequest' && opHidesValue(d.message, p);
  }
}

/** A put, or a txn's compare or put at any depth, whose value is withheld. */
function opHidesValue(req: Msg | undefined, p: SecretPolicy): boolean {
  if (!req) return false;
  const put = req.put ?? req.request_put;
  if (put && hidesValue(p, put.key, put.value)) return true;
  const t = req.txn ?? req.request_txn;
  if (!t) return false;
  return (t.compare ?? []).some((c: Msg) => hidesValue(p, c.key, c.value)) || (t.success ?? []).some((o: Msg) => opHidesValue(o, p)) || (t.failure ?? []).some((o: Msg) => opHidesValue(o, p));
}
