/**
 * Alarms (etcdserver/api/v3alarm/alarms.go): a set of (member, alarm type)
 * raised and cleared through raft. The backend's `alarm` bucket keys are the
 * marshalled AlarmMember with an empty value. While NOSPACE or CORRUPT is
 * raised, etcd swaps in an applier that refuses writes (apply.go Alarm,
 * newApplierV3Capped, newApplierV3Corrupt); apply.ts keeps that mode.
 */
import { decodeMessage } from '../codec/proto/message.js';
import { etcdserverpb } from '../codec/proto/etcdserverpb.js';
import { AlarmMemberSpec } from '../codec/proto/bucket-values.js';

export import AlarmType = etcdserverpb.AlarmType;

export interface AlarmMember {
  memberId: bigint;
  alarm: AlarmType;
}

export { AlarmMemberSpec };

/** etcdserverpb.AlarmMember, the key of the `alarm` bucket. */
export function decodeAlarmMember(b: Uint8Array): AlarmMember {
  const m = decodeMessage<etcdserverpb.AlarmMember>(AlarmMemberSpec, b);
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
