/**
 * The secret policy beyond Kubernetes' default prefix: OpenShift's prefix, a
 * user's `--secret-prefix`, a Secret object under any key (the k8s fixture's
 * real Secret, as the API server wrote it), a JSON-stored Secret, and values
 * the API server encrypted, which are named as such. Each through a dump line
 * as users see it.
 */
import type { InternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { RawRecord } from '../../src/codec/record-reader.js';
import { decodeNormalEntry } from '../../src/codec/request.js';
import { hidesValue, secretPolicy, HIDE_SECRETS } from '../../src/report/secrets.js';
import { entrySummary } from '../../src/report/entry-view.js';
import { writeEntryLine, writePlainPutLine, type ListingOptions } from '../../src/cli/dump-printers.js';
import { JsonOut } from '../../src/util/json.js';
import { readFixtureJson, type OracleReadAll } from '../helpers/fixtures.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** The k8s fixture's Secret (make-fixtures.sh: data["password"] = "hunter2"), from etcd's own reading of the WAL. */
function fixtureSecretValue(): Uint8Array {
  const e = readFixtureJson<OracleReadAll>('k8s', 'oracle-readall-from0.json').entries.find((x) => /key:"\/registry\/secrets\//.test(x.text ?? ''))!;
  return (decodeNormalEntry(Buffer.from(e.data!, 'base64')).message as InternalRaftRequest).put!.value!;
}

const record = { segment: { name: '0000000000000000-0000000000000000.wal' }, offset: 0 } as RawRecord;
const entryOf = (key: Uint8Array, value: Uint8Array): Entry => ({ index: 9n, term: 2n, type: EntryType.EntryNormal, data: encodeInternalRaftRequest({ header: { ID: 7n }, put: { key, value } }) });

/** The entry's NDJSON line, whichever way dump writes it. */
function line(e: Entry, opts: ListingOptions): Record<string, unknown> {
  const out = new JsonOut();
  if (!writePlainPutLine(out, e, record, opts)) writeEntryLine(out, e, record, opts);
  return JSON.parse(out.toString());
}

test('a Secret is withheld under OpenShift\'s prefix, a --secret-prefix, and, as a Kubernetes object of kind Secret, under any key', () => {
  const secret = fixtureSecretValue();
  assert.equal(Buffer.from(secret.subarray(0, 4)).toString('latin1'), 'k8s\0', "the API server's protobuf envelope");
  const plain = bytes('plain text, not a secret');
  const custom = secretPolicy({ secretPrefix: ['/vault/'] });
  const cases: Array<[string, Uint8Array, Uint8Array, ListingOptions['secrets'], boolean]> = [
    ['OpenShift', bytes('/kubernetes.io/secrets/ns/s'), plain, HIDE_SECRETS, true],
    ['a user prefix', bytes('/vault/token'), plain, custom, true],
    ['a user prefix, not given', bytes('/vault/token'), plain, HIDE_SECRETS, false],
    ['the defaults stay with a user prefix', bytes('/registry/secrets/ns/s'), plain, custom, true],
    ['a Secret object elsewhere', bytes('/custom-prefix/secrets/prod/db'), secret, HIDE_SECRETS, true],
    ['a plain value elsewhere', bytes('/custom-prefix/configmaps/x'), plain, HIDE_SECRETS, false],
  ];
  for (const [what, key, value, secrets, hidden] of cases) {
    assert.equal(hidesValue(secrets, key, value), hidden, what);
    const json = line(entryOf(key, value), { secrets, values: 'k8s' });
    const request = json.request as { put: { value: unknown } };
    if (hidden) {
      // The type of each field is kept: no placeholder in a base64 field.
      assert.deepEqual({ data: json.data, redacted: json.redacted, value: request.put.value }, { data: null, redacted: true, value: null }, what);
      assert.match(entrySummary(entryOf(key, value), { secrets }), /value=<value removed>/, what);
    } else {
      assert.equal(json.redacted, undefined, what);
      assert.equal(Buffer.from(request.put.value as string, 'base64').toString(), Buffer.from(value).toString(), what);
    }
  }
});

test('a Secret stored as JSON is withheld under any key; a JSON ConfigMap is not', () => {
  const secret = bytes(JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } }));
  const configMap = bytes(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'Secret' }, data: { a: 'b' } }));
  assert.equal(hidesValue(HIDE_SECRETS, bytes('/custom/s'), secret), true);
  assert.equal(hidesValue(HIDE_SECRETS, bytes('/custom/c'), configMap), false);
});

test('a value the API server encrypted is named by provider and key, in the table and in JSON', () => {
  const value = Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), Buffer.from([0x8f, 0x00, 0x3a, 0xff, 0x10])]);
  const e = entryOf(bytes('/registry/configmaps/ns/c'), value);
  assert.match(entrySummary(e, { secrets: HIDE_SECRETS }), /value=k8s-encrypted\(aescbc:v1, key key1, 28 bytes\)/);
  assert.deepEqual(line(e, { secrets: HIDE_SECRETS, values: 'k8s' }).k8s, { encrypted: { provider: 'aescbc', version: 'v1', keyName: 'key1' } });
  // Under the Secrets prefix it is withheld like any Secret.
  assert.equal(line(entryOf(bytes('/registry/secrets/ns/s'), value), { secrets: HIDE_SECRETS, values: 'k8s' }).redacted, true);
});
