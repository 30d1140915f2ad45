/**
 * Validated membership changes (etcd raft/confchange/confchange.go): simple
 * changes that alter the voters by at most one, and joint consensus (Raft
 * thesis §4.3) for anything larger. Each method works on copies and returns the
 * new configuration and progress map; the caller switches to them.
 */
import {
  ConfChangeTransition,
  ConfChangeType,
  type ConfChange,
  type ConfChangeSingle,
  type ConfChangeV2,
} from '../../codec/proto/raftpb.js';
import { Inflights } from '../tracker/inflights.js';
import { Progress, type ProgressMap } from '../tracker/progress.js';
import { TrackerConfig } from '../tracker/tracker.js';
import { RaftError } from '../util.js';

export class ErrConfChange extends RaftError {
  constructor(message: string) {
    super('INVALID_CONF_CHANGE', message);
  }
}

/** What the changer starts from: the tracker's config, progress and inflight limits. */
export interface ChangerBase {
  readonly config: TrackerConfig;
  readonly progress: ProgressMap;
  readonly maxInflight: number;
  readonly maxInflightBytes: number;
}

export interface ConfigAndProgress {
  config: TrackerConfig;
  progress: ProgressMap;
}

export const isConfChangeV2 = (cc: ConfChange | ConfChangeV2): cc is ConfChangeV2 => 'changes' in cc;

/** The V2 form of any conf change (etcd ConfChange.AsV2). */
export function asV2(cc: ConfChange | ConfChangeV2): ConfChangeV2 {
  if (isConfChangeV2(cc)) return cc;
  return {
    transition: ConfChangeTransition.ConfChangeTransitionAuto,
    changes: [{ type: cc.type, nodeId: cc.nodeId }],
    context: cc.context,
  };
}

/**
 * Whether the change uses joint consensus (more than one change, or asked for
 * explicitly) and, if so, whether the joint state is left automatically.
 */
export function enterJoint(cc: ConfChangeV2): { ok: boolean; autoLeave: boolean } {
  if (cc.transition === ConfChangeTransition.ConfChangeTransitionAuto && cc.changes.length <= 1) return { ok: false, autoLeave: false };
  switch (cc.transition) {
    case ConfChangeTransition.ConfChangeTransitionAuto:
    case ConfChangeTransition.ConfChangeTransitionJointImplicit:
      return { ok: true, autoLeave: true };
    case ConfChangeTransition.ConfChangeTransitionJointExplicit:
      return { ok: true, autoLeave: false };
    default:
      throw new ErrConfChange(`unknown transition: ${cc.transition}`);
  }
}

/** An empty ConfChangeV2 (context aside) asks to leave the joint configuration. */
export const leaveJoint = (cc: ConfChangeV2): boolean =>
  cc.transition === ConfChangeTransition.ConfChangeTransitionAuto && cc.changes.length === 0;

export class Changer {
  constructor(
    readonly base: ChangerBase,
    /** New members start probing from here. */
    readonly lastIndex: bigint,
  ) {}

  /**
   * Copies the incoming voters into the outgoing half, then applies the
   * changes to the incoming half: (1 2 3)&&() becomes (changed)&&(1 2 3).
   */
  enterJoint(autoLeave: boolean, ccs: readonly ConfChangeSingle[]): ConfigAndProgress {
    const { config: cfg, progress: prs } = this.checkAndCopy();
    if (cfg.voters.isJoint()) throw new ErrConfChange('config is already joint');
    // Adding to an empty config is allowed for bootstrap, but not entering a joint state from it.
    if (cfg.voters.incoming.size === 0) throw new ErrConfChange("can't make a zero-voter config joint");
    for (const id of cfg.voters.incoming) cfg.voters.outgoing.add(id);
    this.apply(cfg, prs, ccs);
    cfg.autoLeave = autoLeave;
    return checkAndReturn(cfg, prs);
  }

  /**
   * Drops the outgoing half, making the incoming voters the sole quorum, and
   * turns staged learners (learnersNext) into learners.
   */
  leaveJoint(): ConfigAndProgress {
    const { config: cfg, progress: prs } = this.checkAndCopy();
    if (!cfg.voters.isJoint()) throw new ErrConfChange("can't leave a non-joint config");
    for (const id of cfg.learnersNext) {
      cfg.learners.add(id);
      prs.get(id)!.isLearner = true;
    }
    cfg.learnersNext.clear();
    for (const id of cfg.voters.outgoing) {
      if (!cfg.voters.incoming.has(id) && !cfg.learners.has(id)) prs.delete(id);
    }
    cfg.voters.outgoing.clear();
    cfg.autoLeave = false;
    return checkAndReturn(cfg, prs);
  }

  /** Applies changes that, together, add or remove at most one voter, outside a joint state. */
  simple(ccs: readonly ConfChangeSingle[]): ConfigAndProgress {
    const { config: cfg, progress: prs } = this.checkAndCopy();
    if (cfg.voters.isJoint()) throw new ErrConfChange("can't apply simple config change in joint config");
    this.apply(cfg, prs, ccs);
    if (symdiff(this.base.config.voters.incoming, cfg.voters.incoming) > 1) {
      throw new ErrConfChange('more than one voter changed without entering joint config');
    }
    return checkAndReturn(cfg, prs);
  }

  /** Changes to voters always go to the incoming half; the outgoing half stays as it was. */
  private apply(cfg: TrackerConfig, prs: ProgressMap, ccs: readonly ConfChangeSingle[]): void {
    for (const cc of ccs) {
      // etcd zeroes the NodeID of changes it decides (above raft) not to apply.
      if (cc.nodeId === 0n) continue;
      switch (cc.type) {
        case ConfChangeType.ConfChangeAddNode:
          this.makeVoter(cfg, prs, cc.nodeId);
          break;
        case ConfChangeType.ConfChangeAddLearnerNode:
          this.makeLearner(cfg, prs, cc.nodeId);
          break;
        case ConfChangeType.ConfChangeRemoveNode:
          this.remove(cfg, prs, cc.nodeId);
          break;
        case ConfChangeType.ConfChangeUpdateNode:
          break;
        default:
          throw new ErrConfChange(`unexpected conf type ${cc.type}`);
      }
    }
    if (cfg.voters.incoming.size === 0) throw new ErrConfChange('removed all voters');
  }

  private makeVoter(cfg: TrackerConfig, prs: ProgressMap, id: bigint): void {
    const pr = prs.get(id);
    if (pr === undefined) {
      this.initProgress(cfg, prs, id, false);
      return;
    }
    pr.isLearner = false;
    cfg.learners.delete(id);
    cfg.learnersNext.delete(id);
    cfg.voters.incoming.add(id);
  }

  /**
   * Adds a learner or demotes a voter. A node that is still a voter in the
   * outgoing half is only staged in learnersNext, so that no node is ever both
   * voter and learner.
   */
  private makeLearner(cfg: TrackerConfig, prs: ProgressMap, id: bigint): void {
    const pr = prs.get(id);
    if (pr === undefined) {
      this.initProgress(cfg, prs, id, true);
      return;
    }
    if (pr.isLearner) return;
    // Remove the voter from the incoming half but keep its progress.
    this.remove(cfg, prs, id);
    prs.set(id, pr);
    if (cfg.voters.outgoing.has(id)) {
      cfg.learnersNext.add(id);
    } else {
      pr.isLearner = true;
      cfg.learners.add(id);
    }
  }

  /** Removes id from the incoming half and the learners; its progress stays while it is an outgoing voter. */
  private remove(cfg: TrackerConfig, prs: ProgressMap, id: bigint): void {
    if (!prs.has(id)) return;
    cfg.voters.incoming.delete(id);
    cfg.learners.delete(id);
    cfg.learnersNext.delete(id);
    if (!cfg.voters.outgoing.has(id)) prs.delete(id);
  }

  private initProgress(cfg: TrackerConfig, prs: ProgressMap, id: bigint, isLearner: boolean): void {
    if (isLearner) cfg.learners.add(id);
    else cfg.voters.incoming.add(id);
    // Probe from the last index, as etcd does (0 in an empty log, where the
    // first append finds nothing to send and falls back to a snapshot); a new
    // member is marked active so that CheckQuorum does not depose the leader
    // before it had a chance to reply.
    prs.set(id, new Progress(this.lastIndex, 0n, new Inflights(this.base.maxInflight, this.base.maxInflightBytes), isLearner, true));
  }

  /** Copies config and progress deeply enough for the changes above, checking the invariants first. */
  private checkAndCopy(): ConfigAndProgress {
    const prs: ProgressMap = new Map();
    for (const [id, pr] of this.base.progress) prs.set(id, pr.shallowCopy());
    return checkAndReturn(this.base.config.clone(), prs);
  }
}

function checkAndReturn(cfg: TrackerConfig, prs: ProgressMap): ConfigAndProgress {
  checkInvariants(cfg, prs);
  return { config: cfg, progress: prs };
}

/** Config and progress must agree: every member has a progress, and learners and voters are disjoint. */
function checkInvariants(cfg: TrackerConfig, prs: ProgressMap): void {
  for (const ids of [cfg.voters.ids(), cfg.learners, cfg.learnersNext]) {
    for (const id of ids) if (!prs.has(id)) throw new ErrConfChange(`no progress for ${id}`);
  }
  // A staged learner is staged because it is still an outgoing voter.
  for (const id of cfg.learnersNext) {
    if (!cfg.voters.outgoing.has(id)) throw new ErrConfChange(`${id} is in LearnersNext, but not Voters[1]`);
    if (prs.get(id)!.isLearner) throw new ErrConfChange(`${id} is in LearnersNext, but is already marked as learner`);
  }
  for (const id of cfg.learners) {
    if (cfg.voters.outgoing.has(id)) throw new ErrConfChange(`${id} is in Learners and Voters[1]`);
    if (cfg.voters.incoming.has(id)) throw new ErrConfChange(`${id} is in Learners and Voters[0]`);
    if (!prs.get(id)!.isLearner) throw new ErrConfChange(`${id} is in Learners, but is not marked as learner`);
  }
  if (!cfg.voters.isJoint()) {
    if (cfg.learnersNext.size > 0) throw new ErrConfChange('LearnersNext must be empty when not joint');
    if (cfg.autoLeave) throw new ErrConfChange('AutoLeave must be false when not joint');
  }
}

/** The size of the symmetric difference of two sets. */
function symdiff(l: ReadonlySet<bigint>, r: ReadonlySet<bigint>): number {
  let n = 0;
  for (const id of l) if (!r.has(id)) n++;
  for (const id of r) if (!l.has(id)) n++;
  return n;
}
