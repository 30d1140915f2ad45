/** snappb (proto/etcd/snappb.proto): the envelope of a .snap file. */
import { decodeMessage, encodeMessage, spec } from './message.js';
import type { snappb } from './etcd.gen.js';

export type SnapEnvelope = snappb.snapshot;

const SnapEnvelopeSpec = spec('snappb.snapshot');

export const decodeSnapEnvelope = (b: Uint8Array): SnapEnvelope => decodeMessage<SnapEnvelope>(SnapEnvelopeSpec, b);
export const encodeSnapEnvelope = (s: SnapEnvelope): Uint8Array => encodeMessage(SnapEnvelopeSpec, s);
