import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * A rule of the domain said no (wrong code, locked account, last admin...). Carries an i18n key;
 * form pages get it as a translated error on the field, JSON clients as { errors: [...] }.
 */
export default class DomainError extends Exception {
  static status = 422

  constructor(
    public messageKey: string,
    public field = 'form',
    public data: Record<string, unknown> = {},
    status = 422
  ) {
    super(messageKey, { status, code: 'E_DOMAIN' })
  }

  async handle(error: this, ctx: HttpContext) {
    const message = ctx.i18n.t(`messages.${error.messageKey}`, error.data)
    if (ctx.request.accepts(['html', 'json']) === 'json' && !ctx.request.header('x-inertia')) {
      return ctx.response.status(error.status).send({
        errors: [{ field: error.field, message, rule: error.messageKey }],
      })
    }
    ctx.session.flash('inputErrorsBag', { [error.field]: [message] })
    ctx.session.flashExcept(['password', 'code', 'currentPassword', 'newPassword'])
    return ctx.response.redirect().back()
  }
}
