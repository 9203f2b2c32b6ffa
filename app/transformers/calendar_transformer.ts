import { BaseTransformer } from '@adonisjs/core/transformers'
import type Calendar from '#models/calendar'

export default class CalendarTransformer extends BaseTransformer<Calendar> {
  toObject() {
    const c = this.resource
    return {
      id: c.id,
      name: c.name,
      timeZone: c.timeZone,
      weekly: c.weekly,
      holidays: c.holidays,
      workdayOverrides: c.workdayOverrides,
      updatedAt: c.updatedAt.toISO(),
    }
  }
}
