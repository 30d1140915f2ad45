/**
 * A plain put's JSON line is written straight from the entry's bytes; every
 * other entry's, field by field from its decoded request. For puts of every
 * shape the two must be the same bytes, and the fast path must take only
 * what it can write alike.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { RawRecord } from '../../src/codec/record-reader.js';
import { HIDE_SECRETS, SHOW_SECRETS } from '../../src/report/secrets.js';
import { writeEntryLine, writePlainPutLine, type ListingOptions } from '../../src/cli/dump-printers.js';
import { JsonOut } from '../../src/util/json.js';
import { resolveDataDir } from '../../src/codec/data-dir.js';
import { dumpEntries, planDump } from '../../src/report/dump.js';
import { Scratch } from '../helpers/fixtures.js';

const scratch = new Scratch();
after(() => scratch.remove());

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
// walt's encoder writes fields by number (put 4 before header 100), as etcd 3.4 does; `headerFirst` the other way round.
const put = (p: Record<string, unknown>, header: Record<string, unknown> = { ID: 7n }) => encodeInternalRaftRequest({ header, put: p });
const headerFirst = (p: Record<string, unknown>, header: Record<string, unknown> = { ID: 7n }) => concat(encodeInternalRaftRequest({ header }), encodeInternalRaftRequest({ put: p }));
const kv = { key: bytes('/k'), value: bytes('v') };

const cases: Array<{ what: string; data: Uint8Array; plain: boolean; plainWithSecrets?: boolean; request: string }> = [
  { what: 'as etcd 3.4 writes it', data: put(kv), plain: true, request: '{"put":{"key":"L2s=","value":"dg=="},"header":{"ID":"7"}}' },
  { what: 'the header first', data: headerFirst(kv), plain: true, request: '{"header":{"ID":"7"},"put":{"key":"L2s=","value":"dg=="}}' },
  { what: 'an ID of 64 bits', data: put(kv, { ID: 0xfedcba9876543210n }), plain: true, request: '{"put":{"key":"L2s=","value":"dg=="},"header":{"ID":"fedcba9876543210"}}' },
  { what: 'no ID', data: put(kv, {}), plain: true, request: '{"put":{"key":"L2s=","value":"dg=="},"header":{}}' },
  { what: 'a user', data: put(kv, { ID: 7n, username: 'root', auth_revision: 2n }), plain: false, request: '{"put":{"key":"L2s=","value":"dg=="},"header":{"ID":"7","auth_revision":2,"username":"root"}}' },
  { what: 'a lease', data: put({ ...kv, lease: 5n }), plain: false, request: '{"put":{"lease":"5","key":"L2s=","value":"dg=="},"header":{"ID":"7"}}' },
  { what: 'flags', data: put({ ...kv, prev_kv: true }), plain: false, request: '{"put":{"prev_kv":true,"key":"L2s=","value":"dg=="},"header":{"ID":"7"}}' },
  { what: 'no value', data: put({ key: bytes('/k') }), plain: false, request: '{"put":{"key":"L2s="},"header":{"ID":"7"}}' },
  {
    what: 'a Secret',
    data: put({ key: bytes('/registry/secrets/ns/s'), value: bytes('token') }),
    plain: false,
    plainWithSecrets: true,
    request: `{"put":{"key":"L3JlZ2lzdHJ5L3NlY3JldHMvbnMvcw==","value":null},"header":{"ID":"7"}}`,
  },
  { what: 'a Kubernetes object', data: put({ key: bytes('/registry/pods/ns/p'), value: bytes('k8s\0junk') }), plain: false, request: '{"put":{"key":"L3JlZ2lzdHJ5L3BvZHMvbnMvcA==","value":"azhzAGp1bms="},"header":{"ID":"7"}}' },
  {
    what: 'the value before the key',
    data: concat(encodeInternalRaftRequest({ header: { ID: 7n } }), Uint8Array.from([0x22, 0x08, 0x12, 0x01, 0x76, 0x0a, 0x03, 0x2f, 0x6b, 0x32])),
    plain: false,
    request: '{"header":{"ID":"7"},"put":{"value":"dg==","key":"L2sy"}}',
  },
  { what: 'a range', data: encodeInternalRaftRequest({ header: { ID: 7n }, range: { key: bytes('/k') } }), plain: false, request: '{"range":{"key":"L2s="},"header":{"ID":"7"}}' },
];

test('a plain put is written straight from its bytes as field by field, and nothing else takes that path', () => {
  const record = { segment: { name: '0000000000000001-0000000000000abc.wal' }, offset: 4096 } as RawRecord;
  for (const c of cases) {
    for (const showSecrets of [false, true]) {
      const opts: ListingOptions = { secrets: showSecrets ? SHOW_SECRETS : HIDE_SECRETS, values: 'k8s' };
      const entry: Entry = { index: 9007199254740993n, term: 3n, type: EntryType.EntryNormal, data: c.data };
      const fast = new JsonOut();
      const general = new JsonOut();
      const took = writePlainPutLine(fast, entry, record, opts);
      writeEntryLine(general, entry, record, opts);
      const what = `${c.what}, showSecrets ${showSecrets}`;
      assert.equal(took, showSecrets ? (c.plainWithSecrets ?? c.plain) : c.plain, what);
      if (took) assert.equal(fast.toString(), general.toString(), what);
      else assert.equal(fast.length, 0, `${what}: nothing written when not taken`);
      const line = general.toString();
      assert.ok(line.startsWith('{"record":"entry","index":9007199254740993,"term":3,"type":"EntryNormal","data":'), what);
      assert.ok(line.endsWith(',"segment":"0000000000000001-0000000000000abc.wal","offset":4096}'), what);
      if (!showSecrets) assert.ok(line.includes(`"request":${c.request}`), `${what}: ${line}`);
    }
  }
});

test("etcd's own puts take the plain path and print as the general path prints them; its Secrets and Kubernetes objects do not", () => {
  for (const fixture of ['single', 'k8s']) {
    const plan = planDump(resolveDataDir(scratch.unpack(fixture)), 1n);
    let plain = 0;
    let shownOtherwise = 0;
    for (const { entry, record } of dumpEntries(plan)) {
      for (const showSecrets of [false, true]) {
        const opts: ListingOptions = { secrets: showSecrets ? SHOW_SECRETS : HIDE_SECRETS, values: 'k8s' };
        const fast = new JsonOut();
        const slow = new JsonOut();
        writeEntryLine(slow, entry, record, opts);
        // A fast line equal to the general one cannot hold a decoded Kubernetes object or a withheld Secret.
        if (writePlainPutLine(fast, entry, record, opts)) {
          assert.equal(fast.toString(), slow.toString(), `${fixture} entry ${entry.index}`);
          plain++;
        }
        if (/"k8s":|"redacted":true/.test(slow.toString())) shownOtherwise++;
      }
    }
    // Every put of the Kubernetes dir holds an object (protobuf, or JSON as a custom resource is stored), so none is plain there.
    if (fixture === 'single') assert.ok(plain > 0, `${fixture}: some of etcd's puts are plain`);
    if (fixture === 'k8s') assert.ok(shownOtherwise > 0, 'the Kubernetes data dir has Secrets and objects to show');
  }
});
