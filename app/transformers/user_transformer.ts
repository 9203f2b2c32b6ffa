import { BaseTransformer } from '@adonisjs/core/transformers'
import type User from '#models/user'

export default class UserTransformer extends BaseTransformer<User> {
  toObject() {
    const u = this.resource
    return {
      id: u.id,
      fullName: u.fullName,
      email: u.email,
      role: u.role,
      teamId: u.teamId,
      teamName: u.team?.name ?? null,
      locale: u.locale,
      isDisabled: u.isDisabled,
      lockedAt: u.lockedAt?.toISO() ?? null,
      lockReason: u.lockReason,
      mfaEnabled: u.mfaEnabled,
      lastSignInAt: u.lastSignInAt?.toISO() ?? null,
      createdAt: u.createdAt.toISO(),
      activeSessions: Number(u.$extras.active_sessions ?? 0),
    }
  }
}
