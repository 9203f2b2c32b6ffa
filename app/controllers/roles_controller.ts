import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import UpdateSecuritySettings from '#actions/settings/update_security_settings'
import settings, { securitySettingsValidator } from '#services/settings_service'
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES } from '#app/auth/roles'

/** The permission matrix (read-only: it is code) and the per-role/session security settings. */
export default class RolesController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.authorize('permission', 'roles.manage')
    return ctx.inertia.render('admin/roles/index', {
      roles: [...ROLES],
      permissions: [...PERMISSIONS],
      matrix: Object.fromEntries(ROLES.map((r) => [r, [...ROLE_PERMISSIONS[r]]])),
      security: await settings.security(),
    })
  }

  @inject()
  async update(ctx: HttpContext, update: UpdateSecuritySettings) {
    await ctx.bouncer.authorize('permission', 'roles.manage')
    const input = await ctx.request.validateUsing(securitySettingsValidator)
    await update.handle(ctx, input)
    ctx.session.flash('success', 'roles.saved')
    return ctx.response.redirect().toRoute('roles.index')
  }
}
