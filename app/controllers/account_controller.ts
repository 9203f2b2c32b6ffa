import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import UserSession from '#models/user_session'
import EnrolMfa from '#actions/account/enrol_mfa'
import ChangePassword from '#actions/account/change_password'
import RevokeSession from '#actions/account/revoke_session'
import settings from '#services/settings_service'
import audit from '#services/audit_service'
import { changePasswordValidator, localeValidator, totpCodeValidator } from '#validators/auth'
import { LOCALE_COOKIE } from '#middleware/detect_user_locale_middleware'
import UserSessionTransformer from '#transformers/user_session_transformer'

export default class AccountController {
  @inject()
  async mfa(ctx: HttpContext, enrol: EnrolMfa) {
    const user = ctx.auth.getUserOrFail()
    const policy = await settings.security()
    const enrolment =
      user.mfaEnabled && !ctx.request.input('reenrol') ? null : await enrol.start(user)
    const remaining = await user
      .related('recoveryCodes')
      .query()
      .whereNull('used_at')
      .count('* as n')
    return ctx.inertia.render('account/mfa', {
      mfaEnabled: user.mfaEnabled,
      required: policy.mfaRequired[user.role],
      enrolment: enrolment ? { secret: enrolment.secret, qrDataUrl: enrolment.qr.dataUrl } : null,
      recoveryCodesLeft: Number(remaining[0].$extras.n),
      newRecoveryCodes:
        (ctx.session.flashMessages.get('recoveryCodes') as string[] | undefined) ?? null,
    })
  }

  @inject()
  async confirmMfa(ctx: HttpContext, enrol: EnrolMfa) {
    const { code } = await ctx.request.validateUsing(totpCodeValidator)
    const codes = await enrol.confirm(ctx, ctx.auth.getUserOrFail(), code)
    ctx.session.flash('recoveryCodes', codes)
    ctx.session.flash('success', 'mfa.enabled')
    return ctx.response.redirect().toRoute('account.mfa')
  }

  @inject()
  async regenerateRecoveryCodes(ctx: HttpContext, enrol: EnrolMfa) {
    const { code } = await ctx.request.validateUsing(totpCodeValidator)
    const codes = await enrol.regenerateRecoveryCodes(ctx, ctx.auth.getUserOrFail(), code)
    ctx.session.flash('recoveryCodes', codes)
    return ctx.response.redirect().toRoute('account.mfa')
  }

  async password({ inertia }: HttpContext) {
    return inertia.render('account/password', {})
  }

  @inject()
  async updatePassword(ctx: HttpContext, change: ChangePassword) {
    const user = ctx.auth.getUserOrFail()
    const input = await ctx.request.validateUsing(changePasswordValidator, {
      meta: { email: user.email },
    })
    await change.handle(ctx, user, input.currentPassword, input.newPassword)
    ctx.session.flash('success', 'account.password_changed')
    return ctx.response.redirect().toRoute('account.password')
  }

  async sessions(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const rows = await UserSession.query()
      .where('user_id', user.id)
      .orderByRaw('ended_at IS NULL DESC')
      .orderBy('last_seen_at', 'desc')
      .limit(50)
    return ctx.inertia.render('account/sessions', {
      sessions: UserSessionTransformer.transform(rows, ctx.session.sessionId),
    })
  }

  @inject()
  async revokeSession(ctx: HttpContext, revoke: RevokeSession) {
    await revoke.handle(ctx, ctx.auth.getUserOrFail(), Number(ctx.params.id))
    ctx.session.flash('success', 'sessions.revoked')
    return ctx.response.redirect().toRoute('account.sessions')
  }

  /** Works signed in or not: the sign-in page has the switch too. */
  async switchLocale(ctx: HttpContext) {
    const { locale } = await ctx.request.validateUsing(localeValidator)
    ctx.response.plainCookie(LOCALE_COOKIE, locale, {
      encode: false,
      httpOnly: false,
      maxAge: '1y',
    })
    // The route is public (the sign-in page has the switch too), so authenticate softly here.
    const guard = ctx.auth.use('web')
    const user = (await guard.check()) ? guard.user : null
    if (user && user.locale !== locale) {
      const before = user.locale
      user.locale = locale
      await user.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        action: 'account.locale_changed',
        target: { type: 'user', id: user.id, label: user.email },
        before: { locale: before },
        after: { locale },
      })
    }
    return ctx.response.redirect().back()
  }
}
