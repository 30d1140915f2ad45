/**
 * Alarms (etcdserver/api/v3alarm/alarms.go): a set of (member, alarm type)
 * raised and cleared through raft. The backend's `alarm` bucket keys are the
 * marshalled AlarmMember with an empty value. While NOSPACE or CORRUPT is
 * raised, etcd swaps in an applier that refuses writes (apply.go Alarm,
 * newApplierV3Capped, newApplierV3Corrupt); apply.ts keeps that mode.
 */
import { decodeMessage, fields, type MessageSpec } from '../codec/proto/schema.js';
import { alarmTypeNames } from '../codec/proto/etcdserverpb.js';

export enum AlarmType {
  NONE = 0,
  NOSPACE = 1,
  CORRUPT = 2,
}

export interface AlarmMember {
  memberId: bigint;
  alarm: AlarmType;
}

/** etcdserverpb.AlarmMember (rpc.proto), the key of the `alarm` bucket. */
export const AlarmMemberSpec: MessageSpec = {
  name: 'etcdserverpb.AlarmMember',
  fields: fields([1, 'memberID', 'uint64'], [2, 'alarm', 'enum', { enumNames: alarmTypeNames }]),
};

export function decodeAlarmMember(b: Uint8Array): AlarmMember {
  const m = decodeMessage(AlarmMemberSpec, b);
  return { memberId: m.memberID, alarm: m.alarm };
}

export class AlarmStore {
  private readonly byType = new Map<AlarmType, Map<bigint, AlarmMember>>();

  /** AlarmStore.Activate: true when this raised the first alarm of its type. */
  activate(memberId: bigint, alarm: AlarmType): boolean {
    const set = this.setOf(alarm);
    if (set.has(memberId)) return false;
    set.set(memberId, { memberId, alarm });
    return set.size === 1;
  }

  /** AlarmStore.Deactivate: true when this cleared the last alarm of its type. */
  deactivate(memberId: bigint, alarm: AlarmType): boolean {
    const set = this.setOf(alarm);
    return set.delete(memberId) && set.size === 0;
  }

  /** AlarmStore.Get: NONE means every type. */
  get(alarm: AlarmType): AlarmMember[] {
    if (alarm !== AlarmType.NONE) return [...this.setOf(alarm).values()];
    return [...this.byType.values()].flatMap((s) => [...s.values()]);
  }

  restore(alarms: Iterable<AlarmMember>): void {
    for (const a of alarms) this.setOf(a.alarm).set(a.memberId, a);
  }

  private setOf(alarm: AlarmType): Map<bigint, AlarmMember> {
    let set = this.byType.get(alarm);
    if (set === undefined) this.byType.set(alarm, (set = new Map()));
    return set;
  }
}
