import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import i18nManager from '@adonisjs/i18n/services/main'
import sessionRegistry from '#services/session_registry'
import settings from '#services/settings_service'
import audit from '#services/audit_service'

/**
 * Authenticates, then checks the session against the registry on every request: a revoked,
 * idle or expired session, or a disabled or locked account, is signed out right here and the
 * browser is told why. Accounts whose role requires MFA can only reach the enrolment pages
 * until they have enrolled.
 */
export default class AuthMiddleware {
  redirectTo = '/sign-in'

  async handle(ctx: HttpContext, next: NextFn, options: { allowWithoutMfa?: boolean } = {}) {
    if (!(await ctx.auth.use('web').check())) {
      // The session data may be gone (revoked from elsewhere): the registry still knows why.
      const ended = await sessionRegistry.findBySessionId(ctx.session.sessionId)
      if (ended?.endReason) ctx.session.flash('sessionEnded', ended.endReason)
    }
    await ctx.auth.authenticateUsing(['web'], { loginRoute: this.redirectTo })
    const user = ctx.auth.getUserOrFail()

    const check = await sessionRegistry.check(ctx, user)
    if (!check.ok) {
      await ctx.auth.use('web').logout()
      if (check.reason !== 'signed_out') {
        await audit.record({
          ...audit.fromRequest(ctx),
          actor: { id: user.id, label: user.email },
          action: 'session.rejected',
          target: { type: 'user', id: user.id, label: user.email },
          after: { reason: check.reason },
        })
      }
      ctx.session.flash('sessionEnded', check.reason)
      if (ctx.request.accepts(['html', 'json']) === 'json' && !ctx.request.header('x-inertia')) {
        return ctx.response.unauthorized({
          errors: [
            {
              message: ctx.i18n.t(`messages.sessions.ended.${check.reason}`),
              reason: check.reason,
            },
          ],
        })
      }
      return ctx.response.redirect(this.redirectTo)
    }

    if (user.locale !== ctx.i18n.locale && i18nManager.supportedLocales().includes(user.locale)) {
      ctx.i18n.switchLocale(user.locale)
    }

    if (!options.allowWithoutMfa && !user.mfaEnabled) {
      const policy = await settings.security()
      if (policy.mfaRequired[user.role]) {
        if (ctx.request.accepts(['html', 'json']) === 'json' && !ctx.request.header('x-inertia')) {
          return ctx.response.forbidden({
            errors: [{ message: ctx.i18n.t('messages.mfa.required') }],
          })
        }
        ctx.session.flash('notice', 'mfa.required')
        return ctx.response.redirect('/account/mfa')
      }
    }
    return next()
  }
}
