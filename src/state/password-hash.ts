/**
 * The password etcd keeps for a user (auth/store.go UserAdd and
 * UserChangePassword): bcrypt.GenerateFromPassword at the server's
 * --bcrypt-cost. etcd 3.4's log carries the password in clear text and etcd
 * hashes it when it applies the request; 3.5's API layer hashes it first and
 * logs the hash. A backend written from a 3.4 log hashes it here, as etcd
 * would have: the salt is new, so the hash differs from the one the live
 * member wrote, and the same password logs in.
 *
 * bcryptjs writes the $2b$ prefix where Go writes $2a$; Go's bcrypt reads
 * both, and they hash alike below bcrypt's 72-byte limit, which both keep.
 */
import { createRequire } from 'node:module';
import type * as Bcrypt from 'bcryptjs';

/** bcrypt.DefaultCost, etcd's --bcrypt-cost unless set. */
export const DEFAULT_BCRYPT_COST = 10;
/** bcrypt.MinCost and MaxCost: etcd refuses a --bcrypt-cost outside them. */
export const MIN_BCRYPT_COST = 4;
export const MAX_BCRYPT_COST = 31;

/** bcryptjs, loaded by the first hash: the costs above serve `restore --help`, which hashes nothing. */
let bcrypt: typeof Bcrypt | undefined;

export function hashPassword(password: string, cost = DEFAULT_BCRYPT_COST): string {
  bcrypt ??= createRequire(import.meta.url)('bcryptjs') as typeof Bcrypt;
  return bcrypt.hashSync(password, bcrypt.genSaltSync(cost));
}
