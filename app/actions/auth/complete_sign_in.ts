import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import audit from '#services/audit_service'
import sessionRegistry from '#services/session_registry'
import settings from '#services/settings_service'

/**
 * The user proved who they are (password, and TOTP when enrolled). Start a fresh session, end
 * the others when the branch allows one session per account, and record it all.
 */
export default class CompleteSignIn {
  async handle(ctx: HttpContext, user: User, method: 'password' | 'totp' | 'recovery_code') {
    ctx.session.forget('mfa_pending')
    await ctx.auth.use('web').login(user)
    // login() regenerated the session id (no fixation); register the new one.
    await sessionRegistry.open(ctx, user)

    const policy = await settings.security()
    const meta = audit.fromRequest(ctx)
    if (policy.singleSession) {
      const ended = await sessionRegistry.endAllFor(
        user.id,
        'signed_in_elsewhere',
        ctx.session.sessionId
      )
      for (const row of ended) {
        await audit.record({
          ...meta,
          actor: { id: user.id, label: user.email },
          action: 'session.ended_by_new_sign_in',
          target: { type: 'session', id: row.id, label: row.device },
          before: { ipAddress: row.ipAddress, device: row.device },
        })
      }
    }

    user.lastSignInAt = DateTime.utc()
    await user.save()
    await audit.record({
      ...meta,
      actor: { id: user.id, label: user.email },
      action: 'auth.sign_in',
      target: { type: 'user', id: user.id, label: user.email },
      after: { method },
    })
  }
}
