/**
 * The version rules judged by real etcd: one log, written by the test, is
 * given to etcd 3.4.23 (Debian's system package) and to etcd 3.5.16
 * (.etcd35), each started on the WAL alone so that it applies every entry
 * with its own rules; walt replays the same log under each version and must
 * serve what that etcd served. The log touches four rules, and the two
 * versions differ on two of them (grant-valid-range, lease-puts-admin) and on
 * the compaction tombstone, so each comparison can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import type { Msg } from '../../src/codec/proto/message.js';
import { replayDataDir } from '../../src/replay/replay.js';
import { rangeResponseJson } from '../../src/state/etcdctl-json.js';
import { PermissionType } from '../../src/state/auth.js';
import { CRAFTED, writeCraftedLog } from '../helpers/crafted-log.js';
import { Etcd, etcdSkip, kvsText, withEtcd, type MemberSpec } from '../helpers/etcd.js';
import { etcd35Bin, etcd35Skip } from '../helpers/etcd35.js';
import { Scratch } from '../helpers/fixtures.js';
import { b } from './helpers.js';

const run = promisify(execFile);
const FRESH = 1000n;
const as = (username: string, auth_revision: bigint, m: Msg): Msg => ({ ...m, header: { username, auth_revision } });
const perm = (key: string, rangeEnd: string) => ({ permType: PermissionType.READWRITE, key: b(key), range_end: b(rangeEnd) });

/**
 * Auth set up by the first six requests (store revision 1 + 6 changes = 7);
 * the invalid grant bumps 3.4.23's to 8 only: u's put at revision 7 is then
 * stale on 3.4.23.
 * Root revokes a lease with a key at a stale revision: refused by 3.4.23's
 * per-key check, passed by 3.5.10+'s root shortcut. A key deleted at the
 * revision later compacted keeps its tombstone on 3.5.16 (a watch from that
 * revision sees the delete), not on 3.4.23.
 */
const LOG: Msg[] = [
  { auth_user_add: { name: 'root', options: { no_password: true } } },
  { auth_user_grant_role: { user: 'root', role: 'root' } },
  { auth_role_add: { name: 'app' } },
  { auth_role_grant_permission: { name: 'app', perm: perm('/a/', '/a0') } },
  { auth_user_add: { name: 'u', options: { no_password: true } } },
  { auth_user_grant_role: { user: 'u', role: 'app' } },
  { auth_role_grant_permission: { name: 'app', perm: perm('/z', '/b') } },
  { auth_enable: {} },
  as('u', 7n, { put: { key: b('/a/stale-on-3.4.23'), value: b('1') } }),
  as('root', FRESH, { lease_grant: { ID: 0x77n, TTL: 100000n } }),
  as('root', FRESH, { put: { key: b('/l/leased'), value: b('1'), lease: 0x77n } }),
  as('root', 2n, { lease_revoke: { ID: 0x77n } }),
  as('u', FRESH, { put: { key: b('/a/k'), value: b('1') } }),
  as('u', FRESH, { delete_range: { key: b('/a/k') } }),
  as('root', FRESH, { compaction: { revision: 0n } }),
  as('root', FRESH, { auth_disable: {} }),
];

/** The delete's revision: each applied write above takes one. */
function compactAt(version: string): bigint {
  return version === '3.4.23' ? 4n : 6n;
}

function logFor(version: string): Msg[] {
  const log = structuredClone(LOG);
  log[14] = as('root', FRESH, { compaction: { revision: compactAt(version) } });
  return log;
}

const VERSIONS: Array<{ version: string; spec: MemberSpec; skip: () => string | false }> = [
  { version: '3.4.23', spec: CRAFTED, skip: etcdSkip },
  { version: '3.5.16', spec: { ...CRAFTED, etcd: join(etcd35Bin, 'etcd'), etcdctl: join(etcd35Bin, 'etcdctl') }, skip: () => etcdSkip() || etcd35Skip() },
];

/** What a watch from `rev` on `key` delivers within a few seconds: its event lines. */
async function watchFrom(etcd: Etcd, key: string, rev: bigint): Promise<string[]> {
  try {
    await run(etcd.spec.etcdctl ?? '/usr/bin/etcdctl', [`--endpoints=${etcd.endpoint}`, 'watch', key, `--rev=${rev}`], { timeout: 3000, env: { ...process.env, ETCDCTL_API: '3' } });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '').split('\n').filter((l) => l === 'PUT' || l === 'DELETE');
  }
  return [];
}

/** Walt's key space (as etcdctl prints it, without the header) and the events on /a/k from `from` on, under `version`'s rules. */
function waltServes(dir: string, version: string, from: bigint): { kvs: string; events: string[] } {
  const { state } = replayDataDir(resolveDataDir(dir), { from: 'wal', etcdVersion: version });
  const all = state.range(b(''), b('\0'));
  const events = state.history(b('/a/k')).filter((e) => (e.type === 'put' ? e.kv.modRevision : e.modRevision) >= from);
  return { kvs: kvsText(rangeResponseJson(state.header(), all.kvs, all.count)), events: events.map((e) => (e.type === 'put' ? 'PUT' : 'DELETE')) };
}

for (const { version, spec, skip } of VERSIONS) {
  const other = version === '3.4.23' ? '3.5.16' : '3.4.23';
  test(`etcd ${version} started on a written log serves what walt replays under ${version}'s rules, and not what it replays under ${other}'s`, { skip: skip() }, async () => {
    const scratch = new Scratch();
    try {
      const dir = scratch.fresh('crafted');
      writeCraftedLog(dir, logFor(version));
      // Walt's answers before etcd touches the dir (it appends its own entries at start).
      const own = waltServes(dir, version, compactAt(version));
      const wrong = waltServes(dir, other, compactAt(version));
      await withEtcd(dir, spec, async (etcd) => {
        const kvs = kvsText(await etcd.getAll());
        const events = await watchFrom(etcd, '/a/k', compactAt(version));
        assert.equal(own.kvs, kvs, 'the key space');
        assert.deepEqual(own.events, events, 'the events kept from the compaction revision on');
        assert.notEqual(wrong.kvs, kvs, `${other}'s rules give another key space`);
        assert.notDeepEqual(wrong.events, events, `${other}'s rules keep other events`);
      });
    } finally {
      scratch.remove();
    }
  });
}
