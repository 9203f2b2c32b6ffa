import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import { errors as shieldErrors } from '@adonisjs/shield'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { errors as coreErrors } from '@adonisjs/core'

/**
 * Every refusal speaks the user's language: forbidden, not found, expired form (CSRF) and rate
 * limits get a translated message, as an error page for the browser or JSON for API clients.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction

  #wantsJson(ctx: HttpContext) {
    return ctx.request.accepts(['html', 'json']) === 'json' && !ctx.request.header('x-inertia')
  }

  #t(ctx: HttpContext, key: string) {
    return ctx.i18n ? ctx.i18n.t(`messages.errors.${key}`) : key
  }

  async #statusPage(ctx: HttpContext, status: number, key: string) {
    const message = this.#t(ctx, key)
    if (this.#wantsJson(ctx)) return ctx.response.status(status).send({ errors: [{ message }] })
    if (ctx.inertia) {
      // An exception handler's return value is not sent by itself, unlike a controller's.
      const rendered = await ctx.inertia.render('errors/status', { status, message })
      return ctx.response.status(status).send(rendered)
    }
    return ctx.response.status(status).send(message)
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (error instanceof shieldErrors.E_BAD_CSRF_TOKEN) {
      if (this.#wantsJson(ctx) || !ctx.session) return this.#statusPage(ctx, 403, 'csrf')
      ctx.session.flash('inputErrorsBag', { form: [this.#t(ctx, 'csrf')] })
      return ctx.response.redirect().back()
    }
    if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) {
      return this.#statusPage(ctx, 403, 'forbidden')
    }
    if (
      error instanceof lucidErrors.E_ROW_NOT_FOUND ||
      error instanceof coreErrors.E_ROUTE_NOT_FOUND
    ) {
      return this.#statusPage(ctx, 404, 'not_found')
    }
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      ctx.response.header('retry-after', String(error.response.availableIn))
      return this.#statusPage(ctx, 429, 'too_many_requests')
    }
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
