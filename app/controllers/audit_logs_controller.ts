import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import AuditLogTransformer from '#transformers/audit_log_transformer'
import audit from '#services/audit_service'
import { auditListValidator } from '#validators/auth'
import type { Infer } from '@vinejs/vine/types'
import { sqlTime } from '#services/db_time'

type Filters = Infer<typeof auditListValidator>

function filtered(q: Filters) {
  const query = AuditLog.query()
  if (q.actor) query.whereRaw('LOWER(actor_label) LIKE ?', [`%${q.actor.toLowerCase()}%`])
  if (q.action) query.where('action', 'like', `${q.action}%`)
  if (q.targetType) query.where('target_type', q.targetType)
  if (q.targetId) query.where('target_id', q.targetId)
  if (q.from) query.where('created_at', '>=', sqlTime(DateTime.fromJSDate(q.from)))
  if (q.to) query.where('created_at', '<=', sqlTime(DateTime.fromJSDate(q.to).endOf('day')))
  return query.orderBy(q.sort ?? 'created_at', q.order ?? 'desc').orderBy('id', q.order ?? 'desc')
}

function csvCell(value: unknown) {
  const text = value === null || value === undefined ? '' : String(value)
  // Quote everything and neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

export default class AuditLogsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.authorize('permission', 'audit.view')
    const q = await auditListValidator.validate(ctx.request.qs())
    const page = await filtered(q).paginate(q.page ?? 1, q.perPage ?? 50)
    const actions = await AuditLog.query().distinct('action').orderBy('action')
    return ctx.inertia.render('audit/index', {
      entries: AuditLogTransformer.transform(page.all()),
      meta: page.getMeta(),
      filters: { ...q, from: ctx.request.qs().from ?? null, to: ctx.request.qs().to ?? null },
      actions: actions.map((a) => a.action),
      canExport: await ctx.bouncer.allows('permission', 'audit.export'),
    })
  }

  /** Streams CSV in batches so a large export does not hold the whole log in memory. */
  async export(ctx: HttpContext) {
    await ctx.bouncer.authorize('permission', 'audit.export')
    const q = await auditListValidator.validate(ctx.request.qs())
    await audit.record({
      ...audit.fromRequest(ctx),
      action: 'audit.exported',
      target: { type: 'audit_log', id: null, label: 'csv' },
      after: { filters: q },
    })
    const header = [
      'id',
      'time',
      'actor',
      'action',
      'target_type',
      'target_id',
      'target',
      'before',
      'after',
      'ip',
      'user_agent',
    ]
    const res = ctx.response.response
    ctx.response.header('content-type', 'text/csv; charset=utf-8')
    ctx.response.header(
      'content-disposition',
      `attachment; filename="audit-${DateTime.utc().toFormat('yyyyLLdd-HHmm')}.csv"`
    )
    ctx.response.relayHeaders()
    res.writeHead(200)
    // BOM so Excel opens UTF-8 (Chinese names) correctly.
    res.write('\ufeff' + header.join(',') + '\n')
    let page = 1
    for (;;) {
      const batch = await filtered(q).forPage(page, 1000)
      for (const a of batch) {
        res.write(
          [
            a.id,
            a.createdAt.toISO(),
            a.actorLabel,
            a.action,
            a.targetType,
            a.targetId,
            a.targetLabel,
            a.before,
            a.after,
            a.ipAddress,
            a.userAgent,
          ]
            .map(csvCell)
            .join(',') + '\n'
        )
      }
      if (batch.length < 1000) break
      page++
    }
    res.end()
  }
}
