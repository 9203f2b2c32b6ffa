import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import AttemptSignIn from '#actions/auth/attempt_sign_in'
import CompleteSignIn from '#actions/auth/complete_sign_in'
import VerifyMfaChallenge from '#actions/auth/verify_mfa_challenge'
import sessionRegistry from '#services/session_registry'
import audit from '#services/audit_service'
import { mfaChallengeValidator, signInValidator } from '#validators/auth'
import { LOCALE_COOKIE } from '#middleware/detect_user_locale_middleware'

export default class SessionController {
  async create({ inertia }: HttpContext) {
    return inertia.render('auth/sign_in', {})
  }

  @inject()
  async store(ctx: HttpContext, attempt: AttemptSignIn, complete: CompleteSignIn) {
    const { email, password } = await ctx.request.validateUsing(signInValidator)
    const outcome = await attempt.handle(ctx, email, password)
    ctx.response.plainCookie(LOCALE_COOKIE, outcome.user.locale, { encode: false, httpOnly: false })
    if (outcome.kind === 'mfa') {
      ctx.session.put('mfa_pending', { userId: outcome.user.id, at: Date.now() })
      return ctx.response.redirect().toRoute('sign_in.mfa')
    }
    await complete.handle(ctx, outcome.user, 'password')
    return ctx.response.redirect().toRoute('dashboard')
  }

  @inject()
  async challenge(ctx: HttpContext, verify: VerifyMfaChallenge) {
    if (!verify.pendingUserId(ctx)) return ctx.response.redirect().toRoute('sign_in')
    return ctx.inertia.render('auth/mfa_challenge', {})
  }

  @inject()
  async verify(ctx: HttpContext, verify: VerifyMfaChallenge, complete: CompleteSignIn) {
    const input = await ctx.request.validateUsing(mfaChallengeValidator)
    const { user, method } = await verify.handle(ctx, input)
    await complete.handle(ctx, user, method)
    return ctx.response.redirect().toRoute('dashboard')
  }

  async destroy(ctx: HttpContext) {
    const user = ctx.auth.user
    const row = await sessionRegistry.findBySessionId(ctx.session.sessionId)
    if (row) await sessionRegistry.end(row, 'signed_out')
    if (user) {
      await audit.record({
        ...audit.fromRequest(ctx),
        action: 'auth.sign_out',
        target: { type: 'user', id: user.id, label: user.email },
      })
    }
    await ctx.auth.use('web').logout()
    ctx.session.flash('sessionEnded', 'signed_out')
    return ctx.response.redirect().toRoute('sign_in')
  }
}
