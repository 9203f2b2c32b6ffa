import { BaseTransformer } from '@adonisjs/core/transformers'
import type InboundRoute from '#models/inbound_route'

export default class InboundRouteTransformer extends BaseTransformer<InboundRoute> {
  toObject() {
    const r = this.resource
    return {
      id: r.id,
      name: r.name,
      didPattern: r.didPattern,
      callerPattern: r.callerPattern,
      priority: r.priority,
      targetType: r.targetType,
      targetId: r.targetId,
      calendarId: r.calendarId,
      calendarName: r.calendar?.name ?? null,
      closedTargetType: r.closedTargetType,
      closedTargetId: r.closedTargetId,
      enabled: r.enabled,
      updatedAt: r.updatedAt.toISO(),
    }
  }
}
