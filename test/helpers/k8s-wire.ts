/**
 * Protobuf written by hand for the Kubernetes tests: each helper is one rule
 * of the wire format, and test/codec/k8s-object.test.ts checks their bytes.
 */
export function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
/** A length-delimited field (wire type 2). */
export const ld = (field: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
};
export const str = (field: number, s: string): Buffer => ld(field, Buffer.from(s, 'utf8'));
/** A varint field (wire type 0). */
export const num = (field: number, n: number | bigint): Buffer => Buffer.concat([varint(field << 3), varint(n)]);
/** A map entry: key 1, value 2. */
export const entry = (field: number, key: string, value: Buffer): Buffer => ld(field, str(1, key), value);
export const hex = (b: Buffer): string => b.toString('hex');
export const asciiHex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

/** "k8s\0" and runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}, as the API server writes it. */
export const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer => Buffer.concat([Buffer.from('k8s\0', 'latin1'), ld(1, str(1, apiVersion), str(2, kind)), ld(2, raw), str(3, ''), str(4, '')]);

/** A Secret (2 data map<string, bytes>, 3 type, 5 immutable) holding data["password"] = "hunter2". */
export const secret = (meta: Buffer): Buffer => envelope('v1', 'Secret', Buffer.concat([ld(1, meta), entry(2, 'password', ld(2, Buffer.from('hunter2'))), str(3, 'Opaque'), num(5, 1)]));
