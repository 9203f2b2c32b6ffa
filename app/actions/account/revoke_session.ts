import type { HttpContext } from '@adonisjs/core/http'
import UserSession from '#models/user_session'
import type User from '#models/user'
import audit from '#services/audit_service'
import sessionRegistry from '#services/session_registry'
import DomainError from '#exceptions/domain_error'

/** A user ends one of their own sessions (a browser left signed in somewhere). */
export default class RevokeSession {
  async handle(ctx: HttpContext, user: User, sessionRowId: number) {
    const row = await UserSession.query()
      .where('id', sessionRowId)
      .where('user_id', user.id)
      .first()
    if (!row) throw new DomainError('sessions.not_found', 'session', {}, 404)
    if (row.endedAt) return
    await sessionRegistry.end(row, 'revoked')
    await audit.record({
      ...audit.fromRequest(ctx),
      action: 'session.revoked',
      target: { type: 'session', id: row.id, label: row.device },
      before: { ipAddress: row.ipAddress, device: row.device, userId: user.id },
    })
  }
}
