/** snappb (etcd etcdserver/api/snap/snappb/snap.proto): the envelope of a .snap file. */
import { decodeMessage, encodeMessage, fields, type MessageSpec } from './schema.js';

export interface SnapEnvelope {
  crc: number;
  data?: Uint8Array;
}

export const SnapEnvelopeSpec: MessageSpec = {
  name: 'snappb.snapshot',
  fields: fields([1, 'crc', 'uint32', { always: true }], [2, 'data', 'bytes']),
};

export const decodeSnapEnvelope = (b: Uint8Array): SnapEnvelope => decodeMessage(SnapEnvelopeSpec, b) as SnapEnvelope;
export const encodeSnapEnvelope = (s: SnapEnvelope): Uint8Array => encodeMessage(SnapEnvelopeSpec, s);
