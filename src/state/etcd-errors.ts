/**
 * The errors etcd answers an applied request with. They are outcomes, not
 * failures of walt: the entry stays applied (often as a no-op) and the member
 * moves on. Thrown inside the state layer where etcd returns early, caught by
 * the one place that applies an entry (apply.ts) and reported in its result.
 * Messages are etcd's own error strings.
 */
export const etcdErrorMessages = {
  // etcdserver/errors.go
  ErrKeyNotFound: 'etcdserver: key not found',
  ErrNoSpace: 'etcdserver: no space',
  ErrCorrupt: 'etcdserver: corrupt cluster',
  // mvcc/kvstore.go
  ErrCompacted: 'mvcc: required revision has been compacted',
  ErrFutureRev: 'mvcc: required revision is a future revision',
  // lease/lessor.go
  ErrLeaseNotFound: 'lease not found',
  ErrLeaseExists: 'lease already exists',
  ErrLeaseTTLTooLarge: 'too large lease TTL',
  // auth/store.go
  ErrRootUserNotExist: 'auth: root user does not exist',
  ErrRootRoleNotExist: 'auth: root user does not have root role',
  ErrUserAlreadyExist: 'auth: user already exists',
  ErrUserEmpty: 'auth: user name is empty',
  ErrUserNotFound: 'auth: user not found',
  ErrRoleAlreadyExist: 'auth: role already exists',
  ErrRoleNotFound: 'auth: role not found',
  ErrRoleEmpty: 'auth: role name is empty',
  ErrPermissionDenied: 'auth: permission denied',
  ErrRoleNotGranted: 'auth: role is not granted to the user',
  ErrPermissionNotGranted: 'auth: permission is not granted to the role',
  ErrAuthOldRevision: 'auth: revision in header is old',
  ErrInvalidAuthMgmt: 'auth: invalid auth management',
  ErrPermissionNotGiven: 'auth: permission not given',
  // etcdserver/api/membership/errors.go
  ErrIDRemoved: 'membership: ID removed',
  ErrIDExists: 'membership: ID exists',
  ErrIDNotFound: 'membership: ID not found',
  ErrPeerURLexists: 'membership: peerURL exists',
  ErrMemberNotLearner: 'membership: can only promote a learner member',
  ErrTooManyLearners: 'membership: too many learner members in cluster',
  // etcdserver/api/v2error/error.go (the v2 store's errors)
  V2KeyNotFound: 'Key not found',
  V2TestFailed: 'Compare failed',
  V2NotFile: 'Not a file',
  V2NotDir: 'Not a directory',
  V2NodeExist: 'Key already exists',
  V2RootROnly: 'Root is read only',
  V2DirNotEmpty: 'Directory not empty',
  V2UnknownMethod: 'etcdserver: unknown method',
} as const;

export type EtcdErrorName = keyof typeof etcdErrorMessages;

export class EtcdRequestError extends Error {
  constructor(
    readonly etcdName: EtcdErrorName,
    /** What the error concerns (a v2 path, a member id), as etcd's message carries it. */
    readonly detail?: string,
  ) {
    super(detail === undefined ? etcdErrorMessages[etcdName] : `${etcdErrorMessages[etcdName]} (${detail})`);
    this.name = 'EtcdRequestError';
  }
}

export function fail(name: EtcdErrorName, detail?: string): never {
  throw new EtcdRequestError(name, detail);
}
