import { test } from 'node:test';
import type { InternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import assert from 'node:assert/strict';
import { decodeConfChangeEntry, decodeNormalEntry, type DecodedRequest } from '../../src/codec/request.js';
import { describeConfChange, describeRequest, goQuote, renderConfChange, renderRequest, requestMessage } from '../../src/report/render.js';
import { REDACTED, SHOW_SECRETS, HIDE_SECRETS } from '../../src/report/secrets.js';
import { encodeInternalRaftRequest, encodeV2Request, internalRaftOps } from '../../src/codec/proto/etcdserverpb.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { Msg } from '../../src/codec/proto/message.js';
import { JsonBytes, JsonOut, toJSON } from '../../src/util/json.js';

/** Rendered JSON with its pre-encoded base64 fragments as the strings they print as. */
function plain(v: unknown): unknown {
  if (v instanceof JsonBytes) return v.base64;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const entry = (type: EntryType, data?: Uint8Array): Entry => ({ term: 2n, index: 1n, type, data });

function reencode(d: DecodedRequest): Uint8Array {
  return d.wire === 'Request' ? encodeV2Request(d.message!) : encodeInternalRaftRequest(d.message!);
}

/**
 * Entry data from the WAL of a single etcd 3.4.23 member (--enable-v2), written
 * by etcdctl 3.4.23 (ETCDCTL_API=3 unless noted) against it on loopback.
 */
const real = {
  /** etcdctl put /a b */
  put: '22070a022f61120162a2060a0885dc90808bc0e88a53',
  /** etcdctl put /bin "$(printf 'x\001\377y')" */
  putBinary: '220c0a042f62696e12047801ff79a2060a0886dc90808bc0e88a53',
  /** etcdctl txn: create("/new") = "0", value("/a") = "b"; success: put /new v1, get /a; failure: del /a */
  txn: '32350a0a10011a042f6e657728000a0910031a022f613a0162120c120a0a042f6e65771202763112060a040a022f611a061a040a022f61a2060a0887dc90808bc0e88a53',
  /** etcdctl lease grant 60 (printed "lease 5315a200b0042e09 granted with TTL(60s)") */
  leaseGrant: '420c083c1089dc90808bc0e88a53a2060a088adc90808bc0e88a53',
  /** etcdctl put /leased v --lease=5315a200b0042e09 */
  putLeased: '22160a072f6c65617365641201761889dc90808bc0e88a53a2060a088bdc90808bc0e88a53',
  /** etcdctl user add root:s3cretpw (3.4 proposes the clear-text password) */
  userAdd: 'a2060a0894dc90808bc0e88a53e244120a04726f6f74120873336372657470771a00',
  /** etcdctl role grant-permission reader read /foo /fop */
  grantPermission: 'a2060a0897dc90808bc0e88a539a4b160a06726561646572120c12042f666f6f1a042f666f70',
  /** etcdctl user passwd alice --interactive=false <<< newpw */
  changePassword: 'a2060a0899dc90808bc0e88a53fa440e0a05616c69636512056e65777077',
  /** the authenticate etcd proposed for etcdctl --user root:s3cretpw put /authed x, after auth enable */
  authenticate: 'a2060a089cdc90808bc0e88a53a23f180a04726f6f741a1077507a5345596771466d585476744163',
  /** etcdctl --user root:s3cretpw put /authed x */
  putAuthed: '220c0a072f617574686564120178a20612089ddc90808bc0e88a531204726f6f741808',
  /** ETCDCTL_API=2 etcdctl set /v2key v2val */
  v2Set: '0890dc90808bc0e88a5312035055541a082f312f76326b65792205763276616c2800320038004800500058006000680070007800800100',
  /** ETCDCTL_API=2 etcdctl mk /v2new v2val */
  v2Mk: '0892dc90808bc0e88a5312035055541a082f312f76326e65772205763276616c28003200380040004800500058006000680070007800800100',
  /** etcd's own publish of its name and client URLs at start (a bare v2 Request in 3.4) */
  v2Publish:
    '0881dc90808bc0e88a5312035055541a262f302f6d656d626572732f623531373964313364303238353331352f6174747269627574657322357b226e616d65223a226e31222c22636c69656e7455524c73223a5b22687474703a2f2f3132372e302e302e313a3234333739225d7d2800320038004800500058006000680070007800800100',
};

const realConfChanges = {
  /** the bootstrap entry of member n1 (--initial-cluster n1=http://127.0.0.1:24380) */
  bootstrap:
    '080010001895a6a181bda2e78bb501224d7b226964223a31333034393037313135333735313534343539372c227065657255524c73223a5b22687474703a2f2f3132372e302e302e313a3234333830225d2c226e616d65223a226e31227d',
  /** etcdctl member add n2 --learner --peer-urls=http://127.0.0.1:24480 ("Member e831bcc5b5101e43 added") */
  addLearner:
    '08a1dc90808bc0e88a53100318c3bcc0a8db98ef98e80122527b226964223a31363733313336313634373939303431343931352c227065657255524c73223a5b22687474703a2f2f3132372e302e302e313a3234343830225d2c2269734c6561726e6572223a747275657d',
  /** etcdctl member remove e831bcc5b5101e43 */
  remove: '0885e0c8828bc0e88a53100118c3bcc0a8db98ef98e801',
};

test('real etcd entries re-encode to the bytes etcd wrote', () => {
  for (const [name, h] of Object.entries(real)) {
    const d = decodeNormalEntry(hex(h));
    assert.notEqual(d.kind, 'unknown', name);
    assert.deepEqual(reencode(d), hex(h), name);
  }
});

test('a put names its key, value and lease as etcdctl shows them', () => {
  assert.equal(describeRequest(decodeNormalEntry(hex(real.put))), 'put key="/a" value="b"');
  assert.equal(describeRequest(decodeNormalEntry(hex(real.putBinary))), 'put key="/bin" value="x\\x01\\xffy"');
  assert.equal(describeRequest(decodeNormalEntry(hex(real.putLeased))), 'put key="/leased" value="v" lease=5315a200b0042e09');
  const json = plain(renderRequest(decodeNormalEntry(hex(real.put)))!);
  assert.deepEqual(json, { header: { ID: (5986869403495706117n).toString(16) }, put: { key: 'L2E=', value: 'Yg==' } });
});

test('a txn keeps its create_revision = 0 compare, which asks whether the key is absent', () => {
  const d = decodeNormalEntry(hex(real.txn));
  assert.equal(d.kind, 'txn');
  const [absent, equal] = (d.message as InternalRaftRequest).txn!.compare;
  assert.equal(absent.create_revision, 0n);
  assert.equal(absent.version, undefined);
  assert.deepEqual(equal.value, bytes('b'));
  assert.equal(
    describeRequest(d),
    'txn compare=[create("/new") = 0, value("/a") = "b"] success=[put key="/new" value="v1", range key="/a"] failure=[delete_range key="/a"]',
  );
  const json = plain(renderRequest(d)) as { txn: { compare: Msg[] } };
  assert.deepEqual(json.txn.compare[0], { target: 'CREATE', key: 'L25ldw==', create_revision: 0n });
});

test('a lease grant shows the lease ID etcdctl printed', () => {
  const d = decodeNormalEntry(hex(real.leaseGrant));
  assert.equal(d.kind, 'lease_grant');
  assert.equal(describeRequest(d), 'lease_grant TTL=60 ID=5315a200b0042e09');
});

test("etcd 3.4's clear-text passwords and auth tokens are redacted unless asked for", () => {
  const add = decodeNormalEntry(hex(real.userAdd));
  assert.equal(add.kind, 'auth_user_add');
  assert.equal((add.message as InternalRaftRequest).auth_user_add!.password, 's3cretpw');
  assert.doesNotMatch(JSON.stringify(renderRequest(add), (_, v) => (typeof v === 'bigint' ? String(v) : v)), /s3cretpw/);
  assert.equal(describeRequest(add), `auth_user_add name="root" password=${REDACTED} options={}`);
  assert.equal((renderRequest(add, { secrets: SHOW_SECRETS }) as { auth_user_add: Msg }).auth_user_add.password, 's3cretpw');

  const passwd = decodeNormalEntry(hex(real.changePassword));
  assert.equal(describeRequest(passwd), `auth_user_change_password name="alice" password=${REDACTED}`);

  const auth = decodeNormalEntry(hex(real.authenticate));
  assert.equal(auth.kind, 'authenticate');
  assert.equal(describeRequest(auth), `authenticate name="root" simple_token=${REDACTED}`);
  assert.match(describeRequest(auth, { secrets: SHOW_SECRETS }), /simple_token="wPzSEYgqFmXTvtAc"/);
});

test('3.5+ password hashes are redacted too', () => {
  const data = encodeInternalRaftRequest({
    header: { ID: 7n },
    auth_user_add: { name: 'bob', hashedPassword: 'JDJhJDEwJGFiYw==', options: { no_password: false } },
  });
  const d = decodeNormalEntry(data);
  assert.deepEqual(renderRequest(d), { header: { ID: '7' }, auth_user_add: { name: 'bob', options: {}, hashedPassword: null } });
});

test('an authenticated request names its user', () => {
  const d = decodeNormalEntry(hex(real.putAuthed));
  assert.equal(describeRequest(d), 'put key="/authed" value="x" user="root"');
  assert.deepEqual((renderRequest(d) as { header: Msg }).header, { ID: (5986869403495706141n).toString(16), username: 'root', auth_revision: 8n });
});

test('a role permission shows its type even when it is READ, the zero value', () => {
  assert.equal(describeRequest(decodeNormalEntry(hex(real.grantPermission))), 'auth_role_grant_permission name="reader" perm={permType=READ key="/foo" range_end="/fop"}');
});

test('bare v2 Requests are told from InternalRaftRequests as etcd tells them', () => {
  const publish = decodeNormalEntry(hex(real.v2Publish));
  assert.equal(publish.kind, 'v2');
  assert.equal(publish.wire, 'Request');
  assert.equal(publish.v2!.Path, '/0/members/b5179d13d0285315/attributes');
  // Every method etcd proposes makes the bytes fail as an InternalRaftRequest.
  for (const Method of ['GET', 'PUT', 'POST', 'DELETE', 'QGET', 'SYNC', 'HEAD']) {
    const d = decodeNormalEntry(encodeV2Request({ ID: 1n, Method, Path: '/1/k', Val: '' }));
    assert.equal(d.wire, 'Request', Method);
    assert.equal(d.v2!.Method, Method);
  }
});

test('v2 mk (PrevExist=false) differs from v2 set (PrevExist unset)', () => {
  const set = decodeNormalEntry(hex(real.v2Set));
  const mk = decodeNormalEntry(hex(real.v2Mk));
  assert.equal(set.v2!.PrevExist, undefined);
  assert.equal(mk.v2!.PrevExist, false);
  assert.equal(describeRequest(set), 'v2 PUT Path="/1/v2key" Val="v2val"');
  assert.equal(describeRequest(mk), 'v2 PUT Path="/1/v2new" Val="v2val" PrevExist=false');
});

test('a v2 request wrapped in InternalRaftRequest.v2 is a v2 request', () => {
  const d = decodeNormalEntry(encodeInternalRaftRequest({ v2: { ID: 3n, Method: 'SYNC', Time: 1_700_000_000_000_000_000n } }));
  assert.equal(d.kind, 'v2');
  assert.equal(d.wire, 'InternalRaftRequest');
  assert.equal(describeRequest(d), 'v2 SYNC Time=2023-11-14T22:13:20Z');
});

test('v2 auth user records have their password hash redacted', () => {
  const Val = JSON.stringify({ user: 'u', password: '$2a$10$abc', roles: ['r'] });
  const d = decodeNormalEntry(encodeV2Request({ ID: 1n, Method: 'PUT', Path: '/2/users/u', Val }));
  assert.deepEqual(JSON.parse((renderRequest(d) as { Val: string }).Val), { user: 'u', password: null, roles: ['r'] });
  assert.deepEqual(JSON.parse(JSON.parse(toJSON(requestMessage(d))).Val), { user: 'u', password: null, roles: ['r'] }, 'in a JSON line too');
});

test('an entry without data is a leader no-op', () => {
  assert.equal(decodeNormalEntry(undefined).kind, 'empty');
  assert.equal(decodeNormalEntry(new Uint8Array()).kind, 'empty');
  assert.equal(describeRequest(decodeNormalEntry(undefined)), 'empty');
});

test('every InternalRaftRequest operation of etcd 3.4 to 3.6 round-trips and names its kind', () => {
  const ops: Record<string, Msg> = {
    range: { key: bytes('/a'), range_end: bytes('/b'), limit: 10n, sort_order: 2, sort_target: 3, keys_only: true, max_create_revision: 9n },
    put: { key: bytes('/a'), value: bytes('v'), lease: 5n, prev_kv: true, ignore_value: true, ignore_lease: true },
    delete_range: { key: bytes('/a'), range_end: bytes('\0'), prev_kv: true },
    txn: {
      compare: [{ result: 3, target: 4, key: bytes('/l'), lease: 0n, range_end: bytes('/m') }],
      success: [{ request_txn: { compare: [{ target: 0, key: bytes('/k'), version: 0n }], success: [{ request_put: {} }], failure: [] } }],
      failure: [],
    },
    compaction: { revision: 100n, physical: true },
    lease_grant: { TTL: 30n, ID: 0x694d7b6c0b1f3a04n },
    lease_revoke: { ID: 1n },
    alarm: { action: 1, memberID: 0xb5179d13d0285315n, alarm: 1 },
    lease_checkpoint: { checkpoints: [{ ID: 1n, remaining_TTL: 20n }, { ID: 2n, remaining_TTL: 0n }] },
    auth_enable: {},
    auth_disable: {},
    authenticate: { name: 'u', password: 'p', simple_token: 't' },
    auth_status: {},
    auth_user_add: { name: 'u', options: { no_password: true } },
    auth_user_delete: { name: 'u' },
    auth_user_get: { name: 'u' },
    auth_user_change_password: { name: 'u', hashedPassword: 'h' },
    auth_user_grant_role: { user: 'u', role: 'r' },
    auth_user_revoke_role: { name: 'u', role: 'r' },
    auth_user_list: {},
    auth_role_list: {},
    auth_role_add: { name: 'r' },
    auth_role_delete: { role: 'r' },
    auth_role_get: { role: 'r' },
    auth_role_grant_permission: { name: 'r', perm: { permType: 2, key: bytes('/'), range_end: bytes('\0') } },
    auth_role_revoke_permission: { role: 'r', key: bytes('/'), range_end: bytes('\0') },
    cluster_version_set: { ver: '3.6.0' },
    cluster_member_attr_set: { member_ID: 42n, member_attributes: { name: 'n1', client_urls: ['http://a:2379', 'http://b:2379'] } },
    downgrade_info_set: { enabled: true, ver: '3.5.0' },
    downgrade_version_test: { ver: '3.5.0' },
  };
  assert.deepEqual(Object.keys(ops).sort(), internalRaftOps.filter((o) => o !== 'v2').sort());
  for (const [kind, body] of Object.entries(ops)) {
    const data = encodeInternalRaftRequest({ header: { ID: 9n, username: 'root', auth_revision: 3n }, [kind]: body });
    const d = decodeNormalEntry(data);
    assert.equal(d.kind, kind);
    assert.deepEqual(reencode(d), data, kind);
    // A dump writes the request straight into its line: the same JSON as the object, secrets withheld alike.
    for (const secrets of [HIDE_SECRETS, SHOW_SECRETS]) assert.equal(toJSON(requestMessage(d, { secrets })), toJSON(renderRequest(d, { secrets })), kind);
  }
});

test('enums render by name and 64-bit IDs print as exact hex strings', () => {
  const d = decodeNormalEntry(encodeInternalRaftRequest({ alarm: { action: 1, memberID: 0xfffffffffffffff1n, alarm: 2 } }));
  assert.deepEqual(renderRequest(d), { alarm: { action: 'ACTIVATE', memberID: 'fffffffffffffff1', alarm: 'CORRUPT' } });
  assert.equal(describeRequest(d), 'alarm action=ACTIVATE memberID=fffffffffffffff1 alarm=CORRUPT');
});

test('a compare with two target values keeps the last one, as gogo does', () => {
  // Compare{target: MOD, key: "k", version: 1, mod_revision: 5}, hand-built: etcd never writes two.
  const compare = hex('1002' + '1a016b' + '2001' + '3005');
  const data = new Uint8Array([0x32, compare.length + 2, 0x0a, compare.length, ...compare]);
  const d = decodeNormalEntry(data);
  const c = (d.message as InternalRaftRequest).txn!.compare[0];
  assert.equal(c.version, undefined);
  assert.equal(c.mod_revision, 5n);
  assert.equal(describeRequest(d), 'txn compare=[mod("k") = 5] success=[] failure=[]');
});

test('bytes that are neither message are unknown, with the reason', () => {
  // A put (field 4) whose key is a varint, then an empty lease_grant (field 8). As a v2
  // Request, field 4 is a fine Val but field 8, PrevExist, must be a varint.
  const d = decodeNormalEntry(hex('2202' + '0801' + '4200'));
  assert.equal(d.kind, 'unknown');
  assert.match(d.error!, /wrong wire type 0 for field key.*wrong wire type 2 for field PrevExist/);
  assert.match(describeRequest(d), /^unknown: neither an InternalRaftRequest/);
});

test('an operation from a newer etcd is unknown but keeps its header', () => {
  const d = decodeNormalEntry(encodeUnknownOp());
  assert.equal(d.kind, 'unknown');
  assert.equal(d.wire, 'InternalRaftRequest');
  assert.equal((d.message as InternalRaftRequest).header!.ID, 7n);
});

/** A header, then field 5000 (tag 5000 << 3 | 2 as a varint), an empty message walt does not know. */
function encodeUnknownOp(): Uint8Array {
  const header = encodeInternalRaftRequest({ header: { ID: 7n } });
  return new Uint8Array([...header, 0xc2, 0xb8, 0x02, 0x00]);
}

test('long values are abbreviated with their length', () => {
  const value = new Uint8Array(100).fill(0x61);
  const d = decodeNormalEntry(encodeInternalRaftRequest({ put: { key: bytes('/big'), value } }));
  assert.equal(describeRequest(d), `put key="/big" value="${'a'.repeat(64)}"...(100 bytes)`);
});

test('goQuote escapes as Go strconv.Quote does', () => {
  // Expected strings printed by Go 1.19's strconv.Quote.
  assert.equal(goQuote('a\tb\n"q"\\'), '"a\\tb\\n\\"q\\"\\\\"');
  assert.equal(goQuote('héllo 世界'), '"héllo 世界"');
  assert.equal(goQuote(hex('7801ff797f')), '"x\\x01\\xffy\\x7f"');
  assert.equal(goQuote('zw\u200bsp'), '"zw\\u200bsp"');
  assert.equal(goQuote('🙂'), '"🙂"');
  assert.equal(goQuote('\u00a0nbsp'), '"\\u00a0nbsp"');
  assert.equal(goQuote(hex('e282')), '"\\xe2\\x82"');
  assert.equal(goQuote(hex('eda080')), '"\\xed\\xa0\\x80"');
});

test('a learner added by etcdctl member add shows its exact 64-bit ID and learner flag', () => {
  const d = decodeConfChangeEntry(entry(EntryType.EntryConfChange, hex(realConfChanges.addLearner)));
  assert.equal(d.member!.id, 0xe831bcc5b5101e43n);
  assert.equal(d.member!.isLearner, true);
  assert.equal(describeConfChange(d), 'ConfChangeAddLearnerNode e831bcc5b5101e43 peerURLs=[http://127.0.0.1:24480] learner');
  assert.deepEqual(renderConfChange(d), {
    id: (5986869403495706145n).toString(16),
    type: 'ConfChangeAddLearnerNode',
    node_id: 'e831bcc5b5101e43',
    member: { id: 'e831bcc5b5101e43', peerURLs: ['http://127.0.0.1:24480'], isLearner: true },
  });
});

test('bootstrap and remove conf changes', () => {
  const boot = decodeConfChangeEntry(entry(EntryType.EntryConfChange, hex(realConfChanges.bootstrap)));
  assert.equal(describeConfChange(boot), 'ConfChangeAddNode b5179d13d0285315 name="n1" peerURLs=[http://127.0.0.1:24380]');
  const remove = decodeConfChangeEntry(entry(EntryType.EntryConfChange, hex(realConfChanges.remove)));
  assert.equal(remove.member, undefined);
  assert.equal(describeConfChange(remove), 'ConfChangeRemoveNode e831bcc5b5101e43');
});

test('a ConfChangeV2 lists each change; a promote context is recognised', () => {
  const context = bytes('{"id":3,"peerURLs":["http://c:2380"],"isPromote":true}');
  const data = hex('0801' + '1204' + '08001003' + '12' + '04' + '08011004' + '1a' + context.length.toString(16).padStart(2, '0') + Buffer.from(context).toString('hex'));
  const d = decodeConfChangeEntry(entry(EntryType.EntryConfChangeV2, data));
  assert.equal(d.member!.isPromote, true);
  assert.equal(describeConfChange(d), 'ConfChangeTransitionJointImplicit ConfChangeAddNode 3 ConfChangeRemoveNode 4 peerURLs=[http://c:2380] promote');
  assert.deepEqual(decodeConfChangeEntry(entry(EntryType.EntryNormal, data)).error, 'entry type 0 is not a conf change');
});

test('bytes are written as the base64 Node makes, short ones encoded by walt and long ones by Node', () => {
  const out = new JsonOut(8);
  for (let n = 0; n <= 200; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 0xff);
    out.reset().base64Of(b);
    assert.equal(out.toString(), `"${Buffer.from(b).toString('base64')}"`, `${n} bytes`);
  }
});

test('integers are written as their digits, 64-bit ones exactly', () => {
  const out = new JsonOut(4);
  for (const v of [0, 7, 10, 99, 1000, 220000, 2 ** 53 - 1, 0n, 10n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n]) {
    out.reset().uint(v);
    assert.equal(out.toString(), String(v));
  }
});
