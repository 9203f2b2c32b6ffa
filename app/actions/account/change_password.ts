import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import audit from '#services/audit_service'
import sessionRegistry from '#services/session_registry'
import DomainError from '#exceptions/domain_error'

/** A new password ends every other session of the account: whoever knew the old one is out. */
export default class ChangePassword {
  async handle(ctx: HttpContext, user: User, currentPassword: string, newPassword: string) {
    if (!(await hash.verify(user.password, currentPassword))) {
      await audit.record({
        ...audit.fromRequest(ctx),
        action: 'account.password_change_failed',
        target: { type: 'user', id: user.id, label: user.email },
      })
      throw new DomainError('account.current_password_wrong', 'currentPassword')
    }
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.password = newPassword
      user.passwordChangedAt = DateTime.utc()
      await user.save()
      await sessionRegistry.endAllFor(user.id, 'password_changed', ctx.session.sessionId, trx)
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'account.password_changed',
        target: { type: 'user', id: user.id, label: user.email },
      })
    })
  }
}
