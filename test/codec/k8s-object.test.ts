/**
 * Kubernetes objects decoded whole (codec/k8s-object.ts): objects encoded
 * here by hand, field by field with the numbers of Kubernetes' own
 * generated.proto (k8s.io/api and k8s.io/apimachinery v0.36.3), each piece's
 * bytes checked before use; a kind walt does not declare, decoded by number;
 * a JSON-stored custom resource; damage; and the k8s fixture's values as
 * etcd served them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeK8sObject, type K8sJsonObject } from '../../src/codec/k8s-object.js';
import { decodeK8sValue } from '../../src/codec/k8s.js';
import { readFixtureJson } from '../helpers/fixtures.js';
import { asciiHex, entry, envelope, hex, ld, num, secret, str, varint } from '../helpers/k8s-wire.js';

const decode = (b: Buffer) => {
  const d = decodeK8sObject(b);
  assert.ok(d, 'a Kubernetes object');
  return d;
};

test('the hand encoding is what protobuf writes: tags, lengths, varints', () => {
  assert.equal(hex(varint(300)), 'ac02');
  assert.equal(hex(varint(1_700_000_000)), '80e2cfaa06');
  assert.equal(hex(str(1, 'web-0')), '0a05' + asciiHex('web-0'), 'field 1, wire type 2, length 5');
  assert.equal(hex(num(7, 3)), '3803', 'field 7, wire type 0');
  assert.equal(hex(num(17, 1)), '8801' + '01', 'field 17: a two-byte tag');
  assert.equal(hex(entry(11, 'app', str(2, 'web'))), '5a0a' + '0a03' + asciiHex('app') + '1203' + asciiHex('web'), 'a labels entry');
  const env = envelope('v1', 'Pod', Buffer.alloc(0));
  assert.equal(hex(env), '6b387300' + '0a09' + '0a02' + asciiHex('v1') + '1203' + asciiHex('Pod') + '1200' + '1a00' + '2200');
});

// ---- a Pod -----------------------------------------------------------------

/** metav1.Time {1 seconds, 2 nanos}. */
const time = (field: number, seconds: number, nanos?: number): Buffer => ld(field, num(1, seconds), ...(nanos === undefined ? [] : [num(2, nanos)]));

// ObjectMeta: 1 name, 3 namespace, 5 uid, 6 resourceVersion, 7 generation, 8 creationTimestamp, 11 labels, 12 annotations, 13 ownerReferences, 17 managedFields.
const podMeta = Buffer.concat([
  str(1, 'web-0'),
  str(2, ''),
  str(3, 'default'),
  str(5, '6f1c9d7e-0000-4000-8000-000000000001'),
  str(6, '4242'),
  num(7, 0),
  time(8, 1_700_000_000),
  entry(11, 'app', str(2, 'web')),
  entry(11, 'statefulset.kubernetes.io/pod-name', str(2, 'web-0')),
  entry(12, 'note', str(2, 'hand-encoded')),
  // OwnerReference: 1 kind, 3 name, 4 uid, 5 apiVersion, 6 controller, 7 blockOwnerDeletion.
  ld(13, str(1, 'StatefulSet'), str(3, 'web'), str(4, 'uid-sts'), str(5, 'apps/v1'), num(6, 1), num(7, 1)),
  // ManagedFieldsEntry: 1 manager, 2 operation, 3 apiVersion, 4 time, 6 fieldsType, 7 fieldsV1 {1 Raw}.
  ld(17, str(1, 'kube-controller-manager'), str(2, 'Update'), str(3, 'v1'), time(4, 1_700_000_001), str(6, 'FieldsV1'), ld(7, str(1, '{"f:metadata":{"f:labels":{}},"f:spec":{"f:containers":{}}}'))),
]);

// Container: 1 name, 2 image, 4 args, 6 ports {1 name, 3 containerPort, 4 protocol}, 8 resources {1 limits: Quantity {1 string}}, 9 volumeMounts {1 name, 3 mountPath}.
const container = Buffer.concat([
  str(1, 'nginx'),
  str(2, 'nginx:1.25'),
  str(4, '-g'),
  str(4, 'daemon off;'),
  ld(6, str(1, 'http'), num(2, 0), num(3, 80), str(4, 'TCP')),
  ld(8, entry(1, 'cpu', ld(2, str(1, '500m'))), entry(1, 'memory', ld(2, str(1, '64Mi')))),
  ld(9, str(1, 'data'), num(2, 0), str(3, '/data')),
]);

// PodSpec: 1 volumes {1 name, 2 volumeSource {10 persistentVolumeClaim {1 claimName}}}, 2 containers, 3 restartPolicy, 4 terminationGracePeriodSeconds, 10 nodeName, 11 hostNetwork; 99: no such field.
const podSpec = Buffer.concat([
  ld(1, str(1, 'data'), ld(2, ld(10, str(1, 'data-web-0'), num(2, 0)))),
  ld(2, container),
  str(3, 'Always'),
  num(4, 30),
  str(10, 'node-1'),
  num(11, 0),
  num(99, 7),
]);

// PodStatus: 1 phase, 2 conditions {1 type, 2 status, 4 lastTransitionTime (zero: empty)}, 7 startTime, 8 containerStatuses {1 name, 4 ready, 5 restartCount}.
const podStatus = Buffer.concat([str(1, 'Running'), ld(2, str(1, 'Ready'), str(2, 'True'), ld(4)), time(7, 1_700_000_002), ld(8, str(1, 'nginx'), num(4, 1), num(5, 0))]);

const pod = envelope('v1', 'Pod', Buffer.concat([ld(1, podMeta), ld(2, podSpec), ld(3, podStatus)]));

test('a Pod: ObjectMeta (labels, annotations, owner references, managed fields), spec and status as kubectl -o json prints them', () => {
  assert.equal(hex(ld(13, str(1, 'StatefulSet'))).slice(0, 6), '6a0d0a', 'ownerReferences is field 13');
  assert.equal(hex(ld(2, ld(10, str(1, 'x')))), '1205' + '5203' + '0a01' + asciiHex('x'), 'volumeSource 2, persistentVolumeClaim 10');
  const d = decode(pod);
  assert.equal(d.decoding, 'typed');
  assert.equal(d.error, undefined);
  assert.deepEqual(d.object, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'default',
      uid: '6f1c9d7e-0000-4000-8000-000000000001',
      resourceVersion: '4242',
      generation: 0n,
      creationTimestamp: '2023-11-14T22:13:20Z',
      labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0' },
      annotations: { note: 'hand-encoded' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-sts', controller: true, blockOwnerDeletion: true }],
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:21Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:containers': {} } } }],
    },
    spec: {
      // Volume's volumeSource is inline in Kubernetes' JSON.
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0', readOnly: false } }],
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.25',
          args: ['-g', 'daemon off;'],
          ports: [{ name: 'http', hostPort: 0, containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { cpu: '500m', memory: '64Mi' } },
          volumeMounts: [{ name: 'data', readOnly: false, mountPath: '/data' }],
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30n,
      nodeName: 'node-1',
      hostNetwork: false,
      // A field walt's .proto does not declare: by number, its wire value.
      99: 7n,
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: null }],
      startTime: '2023-11-14T22:13:22Z',
      containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0 }],
    },
  });
  assert.deepEqual(decodeK8sValue(pod), { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0' }, 'the identity agrees');
});

test('int64 stays exact, MicroTime has microseconds, IntOrString is a number or a name', () => {
  // ObjectMeta.generation (7) above 2^53; Lease spec (2): 1 holderIdentity, 4 renewTime MicroTime.
  const lease = envelope('coordination.k8s.io/v1', 'Lease', Buffer.concat([ld(1, str(1, 'kube-scheduler'), num(7, 2n ** 60n + 1n)), ld(2, str(1, 'node-1_abc'), time(4, 1_700_000_000, 123_456_789))]));
  assert.equal(hex(num(7, 2n ** 60n + 1n)), '38' + '8180808080808080' + '10');
  const l = decode(lease).object as K8sJsonObject & { metadata: K8sJsonObject; spec: K8sJsonObject };
  assert.equal(l.metadata.generation, 2n ** 60n + 1n);
  assert.equal(l.spec.renewTime, '2023-11-14T22:13:20.123456Z');
  // ServicePort (ServiceSpec 1): 1 name, 3 port, 4 targetPort IntOrString {1 type, 2 intVal, 3 strVal}.
  const service = envelope('v1', 'Service', Buffer.concat([ld(1, str(1, 'web')), ld(2, ld(1, str(1, 'http'), num(3, 80), ld(4, num(1, 1), str(3, 'http'))), ld(1, str(1, 'admin'), num(3, 9000), ld(4, num(1, 0), num(2, 9090))), str(3, '10.0.0.7'))]));
  const s = decode(service).object as { spec: K8sJsonObject };
  assert.deepEqual(s.spec, {
    ports: [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'admin', port: 9000, targetPort: 9090 },
    ],
    clusterIP: '10.0.0.7',
  });
});

const secretMeta = Buffer.concat([str(1, 'db'), str(3, 'prod')]);
const handSecret = secret(secretMeta);

test('a Secret: data as base64 (bytes), type and immutable', () => {
  assert.equal(hex(entry(2, 'password', ld(2, Buffer.from('hunter2')))), '1213' + '0a08' + asciiHex('password') + '1207' + asciiHex('hunter2'));
  const o = decode(handSecret).object as { data: Record<string, Uint8Array>; type: string; immutable: boolean };
  assert.equal(Buffer.from(o.data.password).toString(), 'hunter2');
  assert.deepEqual([o.type, o.immutable], ['Opaque', true]);
});

test('a ConfigMap: data, binaryData (bytes) and immutable', () => {
  // ConfigMap: 2 data map<string, string>, 3 binaryData map<string, bytes>, 4 immutable.
  const cm = envelope('v1', 'ConfigMap', Buffer.concat([ld(1, str(1, 'cfg'), str(3, 'default')), entry(2, 'app.conf', str(2, 'listen 80\n')), entry(3, 'blob', ld(2, Buffer.from([0, 0xff, 0x10]))), num(4, 1)]));
  const o = decode(cm).object as K8sJsonObject & { binaryData: Record<string, Uint8Array> };
  assert.deepEqual(o.data, { 'app.conf': 'listen 80\n' });
  assert.deepEqual([...o.binaryData.blob], [0, 0xff, 0x10]);
  assert.equal(o.immutable, true);
});

test('a kind walt does not declare: its ObjectMeta, and every other field by number as protoc --decode_raw shows it', () => {
  const fixed64 = Buffer.concat([varint((3 << 3) | 1), Buffer.from('0100000000000080', 'hex')]);
  const fixed32 = Buffer.concat([varint((4 << 3) | 5), Buffer.from('2a000000', 'hex')]);
  const spec = Buffer.concat([str(1, 'large'), num(2, 300), fixed64, fixed32, ld(5, str(1, 'nested'), num(2, 1)), num(6, 1), num(6, 2), ld(7, Buffer.from([0xff, 0x00]))]);
  const widget = envelope('example.com/v1', 'Widget', Buffer.concat([ld(1, str(1, 'w1'), str(3, 'ns'), entry(11, 'tier', str(2, 'gold'))), ld(2, spec)]));
  const d = decode(widget);
  assert.equal(d.decoding, 'generic');
  assert.deepEqual(d.object, {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', namespace: 'ns', labels: { tier: 'gold' } },
    2: { 1: 'large', 2: 300n, 3: '0x8000000000000001', 4: '0x0000002a', 5: { 1: 'nested', 2: 1n }, 6: [1n, 2n], 7: { base64: '/wA=' } },
  });
  assert.deepEqual(decodeK8sValue(widget), { apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'ns', name: 'w1' });
});

test('a custom resource stored as JSON is recognised', () => {
  const cr = Buffer.from('{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"w2","namespace":"ns"},"spec":{"size":3}}');
  const d = decode(cr);
  assert.equal(d.decoding, 'json');
  assert.deepEqual(d.object, JSON.parse(cr.toString()));
  assert.deepEqual(decodeK8sValue(cr), { apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'ns', name: 'w2', contentType: 'application/json' });
  for (const other of ['{"name":"x"}', '[1,2]', '{"apiVersion": 1, "kind": "X"}', 'plain', '{"apiVersion":"v1"']) assert.equal(decodeK8sObject(Buffer.from(other)), undefined, other);
});

test('damage: what decoded before it is kept, and where it stopped is said', () => {
  const cut = pod.subarray(0, pod.length - 40);
  const d = decode(cut);
  assert.match(d.error ?? '', /^k8s\.io\.apimachinery\.pkg\.runtime\.Unknown at byte \d+: index out of range/);
  assert.deepEqual([d.object.apiVersion, d.object.kind], ['v1', 'Pod']);
  // Nesting past the limit stops there.
  let deep: Buffer = str(1, 'x');
  for (let i = 0; i < 80; i++) deep = ld(1, deep, num(2, 1));
  const gen = decode(envelope('example.com/v1', 'Deep', Buffer.concat([ld(1, str(1, 'd')), ld(2, deep)])));
  assert.equal((gen.object.metadata as K8sJsonObject).name, 'd');
  assert.ok(gen.object[2] !== undefined);
  assert.equal(decodeK8sObject(Buffer.from('k8s\0')), undefined, 'no type meta: not an object');
});

interface Kv {
  key: string;
  value: string;
}

test("the k8s fixture's values, as etcd served them, decode with their kind, namespace and name", () => {
  const kvs = readFixtureJson<{ kvs: Kv[] }>('k8s', 'expected-get.json').kvs.map((kv) => ({ key: Buffer.from(kv.key, 'base64').toString(), value: Buffer.from(kv.value, 'base64') }));
  const got = Object.fromEntries(
    kvs.map(({ key, value }) => {
      const d = decode(value);
      const meta = d.object.metadata as K8sJsonObject;
      return [key, [d.object.apiVersion, d.object.kind, meta.namespace ?? '', meta.name, d.decoding]];
    }),
  );
  assert.deepEqual(got, {
    '/registry/pods/default/web-0': ['v1', 'Pod', 'default', 'web-0', 'typed'],
    '/registry/pods/kube-system/coredns-5d78c9869d-abcde': ['v1', 'Pod', 'kube-system', 'coredns-5d78c9869d-abcde', 'typed'],
    '/registry/deployments/default/web': ['apps/v1', 'Deployment', 'default', 'web', 'typed'],
    '/registry/secrets/prod/db-credentials': ['v1', 'Secret', 'prod', 'db-credentials', 'typed'],
    '/registry/namespaces/prod': ['v1', 'Namespace', '', 'prod', 'json'],
  });
  // make-fixtures.sh wrote the Secret's data entry with length 20 for its 19 bytes: the decoder says so, and keeps the metadata.
  const secret = decode(kvs.find((kv) => kv.key.startsWith('/registry/secrets/'))!.value);
  assert.match(secret.error ?? '', /^k8s\.io\.api\.core\.v1\.Secret at byte 26: index out of range: 26 \+ 20 > 45/);
  assert.equal(secret.object.data, undefined);
});
