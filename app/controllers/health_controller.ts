import type { HttpContext } from '@adonisjs/core/http'
import healthService from '#services/health_service'

export default class HealthController {
  /** Public liveness: status only, no detail an outsider could use. */
  async show({ response }: HttpContext) {
    const report = await healthService.report()
    return response.status(report.status === 'down' ? 503 : 200).send({ status: report.status })
  }

  /** Full detail for admins and supervisors. */
  async detail(ctx: HttpContext) {
    await ctx.bouncer.authorize('permission', 'health.view')
    const report = await healthService.report()
    if (ctx.request.accepts(['html', 'json']) === 'json') return report
    return ctx.inertia.render('admin/health', { report })
  }
}
