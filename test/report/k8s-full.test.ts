/**
 * `--decode-values k8s-full` as each output shows it: the NDJSON line's
 * "k8sObject", the object under the table's row, and browse's detail pane;
 * managed fields summarised; a Secret's data withheld by the one secret
 * policy unless --show-secrets, under any key; a txn's put as the API server
 * writes objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInternalRaftRequest } from '../../src/codec/proto/etcdserverpb.js';
import { EntryType, type Entry } from '../../src/codec/proto/raftpb.js';
import type { RawRecord } from '../../src/codec/record-reader.js';
import { HIDE_SECRETS, SHOW_SECRETS, secretPolicy } from '../../src/report/secrets.js';
import { entryRow } from '../../src/report/entry-view.js';
import { loadK8sObjectDecoder } from '../../src/report/k8s-object-view.js';
import { tablePrinter, writeEntryLine, writePlainPutLine, type ListingOptions } from '../../src/cli/dump-printers.js';
import { detailLines } from '../../src/tui/detail.js';
import type { Row } from '../../src/tui/session.js';
import { JsonOut } from '../../src/util/json.js';
import { entry, envelope, ld, num, secret, str } from '../helpers/k8s-wire.js';

const k8sObjects = await loadK8sObjectDecoder();
const full = (secrets = HIDE_SECRETS): ListingOptions => ({ secrets, values: 'k8s-full', k8sObjects });

const bytes = (s: string) => Buffer.from(s, 'utf8');
const record = { segment: { name: '0000000000000000-0000000000000000.wal' }, offset: 0 } as RawRecord;
const putEntry = (key: string, value: Uint8Array): Entry => ({ index: 9n, term: 2n, type: EntryType.EntryNormal, data: encodeInternalRaftRequest({ header: { ID: 7n }, put: { key: bytes(key), value } }) });

/** The entry's NDJSON line, whichever way dump writes it. */
function line(e: Entry, opts: ListingOptions): Record<string, any> {
  const out = new JsonOut();
  if (!writePlainPutLine(out, e, record, opts)) writeEntryLine(out, e, record, opts);
  return JSON.parse(out.toString());
}

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
const secretValue = secret(Buffer.concat([str(1, 'db'), str(3, 'prod'), entry(12, lastApplied, str(2, '{"data":{"password":"aHVudGVyMg=="}}'))]));

test("a Secret's data, and the annotation kubectl apply copies it into, are withheld under any key; --show-secrets shows them", () => {
  for (const key of ['/registry/secrets/prod/db', '/elsewhere/db']) {
    const hidden = line(putEntry(key, secretValue), full());
    assert.deepEqual(hidden.k8sObject, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'prod', annotations: { [lastApplied]: null } }, data: { password: null }, type: 'Opaque', immutable: true, redacted: true }, key);
    assert.deepEqual([hidden.data, hidden.redacted, hidden.k8s], [null, true, { apiVersion: 'v1', kind: 'Secret', namespace: 'prod', name: 'db', decoding: 'typed' }], key);
    assert.doesNotMatch(JSON.stringify(hidden), /aHVudGVyMg|hunter2/, key);
  }
  const shown = line(putEntry('/registry/secrets/prod/db', secretValue), full(SHOW_SECRETS));
  assert.deepEqual(shown.k8sObject.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(shown.k8sObject.metadata.annotations[lastApplied], '{"data":{"password":"aHVudGVyMg=="}}');
  assert.equal(shown.k8sObject.redacted, undefined);
});

test('an object under a --secret-prefix keeps only what names it', () => {
  const cm = envelope('v1', 'ConfigMap', Buffer.concat([ld(1, str(1, 'creds'), str(3, 'ops')), entry(2, 'token', str(2, 's3cret'))]));
  const o = line(putEntry('/registry/configmaps/ops/creds', cm), full(secretPolicy({ secretPrefix: ['/registry/configmaps/'] }))).k8sObject;
  assert.deepEqual(o, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'creds', namespace: 'ops' }, data: { token: null }, redacted: true });
  assert.deepEqual(line(putEntry('/registry/configmaps/ops/creds', cm), full()).k8sObject.data, { token: 's3cret' });
});

// A Pod whose ObjectMeta has one managed-fields entry: 17 {1 manager, 2 operation, 6 fieldsType, 7 fieldsV1 {1 Raw}}.
const pod = envelope('v1', 'Pod', Buffer.concat([ld(1, str(1, 'web-0'), str(3, 'default'), ld(17, str(1, 'kubelet'), str(2, 'Update'), str(6, 'FieldsV1'), ld(7, str(1, '{"f:status":{"f:phase":{}},"f:metadata":{}}')))), ld(2, str(3, 'Always'), num(4, 30))]));

test("managed fields are summarised: each entry's fieldsV1 becomes the top-level fields it touches", () => {
  const o = line(putEntry('/registry/pods/default/web-0', pod), full()).k8sObject;
  assert.deepEqual(o.metadata.managedFields, [{ manager: 'kubelet', operation: 'Update', fieldsType: 'FieldsV1', fields: ['f:status', 'f:metadata'] }]);
  assert.deepEqual(o.spec, { restartPolicy: 'Always', terminationGracePeriodSeconds: 30 });
});

test("a txn's put, as the API server writes each object, is decoded too; k8s mode has the identity only", () => {
  const txn: Entry = {
    index: 10n,
    term: 2n,
    type: EntryType.EntryNormal,
    data: encodeInternalRaftRequest({ header: { ID: 8n }, txn: { compare: [{ result: 0, target: 1, key: bytes('/registry/pods/default/web-0'), mod_revision: 0n }], success: [{ request_put: { key: bytes('/registry/pods/default/web-0'), value: pod } }], failure: [] } }),
  };
  const l = line(txn, full());
  assert.equal(l.kind, 'txn');
  assert.equal(l.k8sObject.metadata.name, 'web-0');
  const identity = line(txn, { secrets: HIDE_SECRETS, values: 'k8s' });
  assert.deepEqual([identity.k8s, identity.k8sObject], [{ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0' }, undefined]);
});

test('the table prints the object as kubectl -o json does (keys sorted), indented under its row; browse shows it in the detail pane', () => {
  const lines: string[] = [];
  tablePrinter({ line: (s: string) => lines.push(s) } as never, full()).entry(putEntry('/registry/pods/default/web-0', pod), record);
  assert.match(lines[0], /put key="\/registry\/pods\/default\/web-0" value=k8s\(v1\/Pod default\/web-0, \d+ bytes\)$/);
  assert.equal(lines[1], '    {');
  assert.equal(lines[2], '      "apiVersion": "v1",');
  assert.deepEqual(lines.filter((l) => /^ {6}"/.test(l)).map((l) => l.trim().split('"')[1]), ['apiVersion', 'kind', 'metadata', 'spec'], 'keys sorted, as kubectl prints them');
  assert.ok(lines.includes('        "terminationGracePeriodSeconds": 30'));
  assert.equal(lines.at(-1), '    }');
  assert.deepEqual(entryRow(putEntry('/k', bytes('plain')), full()), { summary: 'put key="/k" value="plain"', k8sObject: undefined, k8sError: undefined });

  const row = { kind: 'entry', problems: [], item: { entry: putEntry('/registry/secrets/prod/db', secretValue), segment: record.segment, offset: 0, recordBytes: 100, padBytes: 4, crc: 1, computedCrc: 1 } } as unknown as Row;
  const detail = detailLines(row, 100, full()).map((l) => l.text);
  const at = detail.indexOf('  object');
  assert.ok(at > 0, detail.join('\n'));
  assert.deepEqual([detail[at + 1], detail.at(-3)], ['    {', '    }'], 'the object, indented under its heading');
  assert.ok(detail.includes('        "password": null'), detail.join('\n'));
  assert.ok(detail.includes('      "redacted": true'));
  assert.doesNotMatch(detail.join('\n'), /hunter2|aHVudGVyMg/);
  assert.ok(!detailLines(row, 100, { secrets: HIDE_SECRETS }).some((l) => l.text === '  object'), 'k8s: no object');
});
