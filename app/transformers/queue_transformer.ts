import { BaseTransformer } from '@adonisjs/core/transformers'
import type Queue from '#models/queue'

export default class QueueTransformer extends BaseTransformer<Queue> {
  toObject() {
    const q = this.resource
    return {
      id: q.id,
      name: q.name,
      strategy: q.strategy,
      requiredSkillId: q.requiredSkillId,
      requiredSkillName: q.requiredSkill?.name ?? null,
      requiredSkillLevel: q.requiredSkillLevel,
      priority: q.priority,
      ringTimeoutSeconds: q.ringTimeoutSeconds,
      wrapUpSeconds: q.wrapUpSeconds,
      maxWaitSeconds: q.maxWaitSeconds,
      overflowAction: q.overflowAction,
      overflowTarget: q.overflowTarget,
      announceEverySeconds: q.announceEverySeconds,
      musicOnHold: q.musicOnHold,
      recordingRetentionDays: q.recordingRetentionDays,
      serviceLevelSeconds: q.serviceLevelSeconds,
      memberCount: Number(q.$extras.members_count ?? q.members?.length ?? 0),
      updatedAt: q.updatedAt.toISO(),
    }
  }

  /** With the member agents (preload `members.user`), for the queue editor. */
  forDetail() {
    return {
      ...this.toObject(),
      members: (this.resource.members ?? []).map((m) => ({
        userId: m.userId,
        fullName: m.user?.fullName ?? null,
        email: m.user?.email ?? null,
        penalty: m.penalty,
      })),
    }
  }
}
