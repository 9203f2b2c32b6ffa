import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import BaseInertiaMiddleware from '@adonisjs/inertia/inertia_middleware'
import { can, PERMISSIONS } from '#app/auth/roles'

/**
 * Props every page receives: the signed-in user (as a plain object, never the model), what they
 * may do (drives the role-aware navigation; the server checks again on every route), the
 * locale, and flash messages.
 */
export default class InertiaMiddleware extends BaseInertiaMiddleware {
  share(ctx: HttpContext) {
    const user = ctx.auth?.user
    return {
      errors: ctx.inertia.always(this.getValidationErrors(ctx)),
      locale: ctx.inertia.always(ctx.i18n?.locale ?? 'en'),
      csrfToken: ctx.inertia.always(ctx.request.csrfToken ?? ''),
      auth: ctx.inertia.always(
        user
          ? {
              id: user.id,
              fullName: user.fullName,
              email: user.email,
              role: user.role,
              teamId: user.teamId,
              mfaEnabled: user.mfaEnabled,
              permissions: PERMISSIONS.filter((p) => can(user.role, p)),
            }
          : null
      ),
    }
  }

  flash(ctx: HttpContext) {
    const flash = ctx.session?.flashMessages
    return {
      success: (flash?.get('success') as string | undefined) ?? null,
      notice: (flash?.get('notice') as string | undefined) ?? null,
      sessionEnded: (flash?.get('sessionEnded') as string | undefined) ?? null,
    }
  }

  async handle(ctx: HttpContext, next: NextFn) {
    await this.init(ctx)
    const output = await next()
    this.dispose(ctx)
    return output
  }
}

declare module '@adonisjs/inertia/types' {
  type MiddlewareSharedProps = import('@adonisjs/inertia/types').InferSharedProps<InertiaMiddleware>
  export interface SharedProps extends MiddlewareSharedProps {}
}
