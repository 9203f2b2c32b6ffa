import { BaseTransformer } from '@adonisjs/core/transformers'
import type UserSession from '#models/user_session'

export default class UserSessionTransformer extends BaseTransformer<UserSession> {
  constructor(
    resource: UserSession,
    protected currentSessionId?: string
  ) {
    super(resource)
  }

  toObject() {
    const s = this.resource
    return {
      id: s.id,
      device: s.device,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
      createdAt: s.createdAt.toISO(),
      lastSeenAt: s.lastSeenAt.toISO(),
      endedAt: s.endedAt?.toISO() ?? null,
      endReason: s.endReason,
      current: this.currentSessionId === s.sessionId,
    }
  }
}
