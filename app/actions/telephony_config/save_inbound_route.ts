import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import InboundRoute from '#models/inbound_route'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import { diff, hasCallHistory } from '#actions/telephony_config/support'
import type { inboundRouteValidator } from '#validators/telephony'
import type { Infer } from '@vinejs/vine/types'

type Input = Infer<typeof inboundRouteValidator>

const AUDITED = [
  'name',
  'didPattern',
  'callerPattern',
  'priority',
  'targetType',
  'targetId',
  'calendarId',
  'closedTargetType',
  'closedTargetId',
  'enabled',
] as const

function snapshot(route: InboundRoute) {
  return Object.fromEntries(AUDITED.map((f) => [f, route[f]]))
}

function values(input: Input) {
  const calendarId = input.calendarId ?? null
  // Closed-hours handling only means something with a calendar; hang-up needs no target.
  const closedTargetType = calendarId ? (input.closedTargetType ?? null) : null
  const closedTargetId =
    closedTargetType && closedTargetType !== 'hangup' ? (input.closedTargetId ?? null) : null
  return {
    name: input.name,
    didPattern: input.didPattern,
    callerPattern: input.callerPattern ?? null,
    priority: input.priority ?? 100,
    targetType: input.targetType,
    targetId: input.targetId,
    calendarId,
    closedTargetType,
    closedTargetId,
    enabled: input.enabled ?? true,
  }
}

/** Inbound routes (呼入路由): which dialled number goes to which IVR, queue or agent. */
export default class SaveInboundRoute {
  async create(ctx: HttpContext, input: Input) {
    return db.transaction(async (trx) => {
      const route = await InboundRoute.create(values(input), { client: trx })
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'inbound_route.created',
        target: { type: 'inbound_route', id: route.id, label: route.name },
        after: snapshot(route),
      })
      return route
    })
  }

  async update(ctx: HttpContext, route: InboundRoute, input: Input) {
    const before = snapshot(route)
    await db.transaction(async (trx) => {
      route.useTransaction(trx)
      route.merge(values(input))
      await route.save()
      const changes = diff(before, snapshot(route))
      if (Object.keys(changes.after).length === 0) return
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'inbound_route.updated',
        target: { type: 'inbound_route', id: route.id, label: route.name },
        ...changes,
      })
    })
    return route
  }

  async delete(ctx: HttpContext, route: InboundRoute) {
    await db.transaction(async (trx) => {
      if (await hasCallHistory('route_id', route.id, trx)) {
        throw new DomainError('telephony.route_has_call_history', 'route')
      }
      route.useTransaction(trx)
      await route.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'inbound_route.deleted',
        target: { type: 'inbound_route', id: route.id, label: route.name },
        before: snapshot(route),
      })
    })
  }
}
