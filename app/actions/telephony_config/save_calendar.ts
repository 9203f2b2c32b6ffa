import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Calendar, {
  WEEKDAYS,
  type Holiday,
  type TimeRange,
  type WorkdayOverride,
} from '#models/calendar'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import {
  describeIssues,
  diff,
  fieldErrors,
  flowsReferring,
} from '#actions/telephony_config/support'
import { validateCalendar } from '#telephony/hours/validate_calendar'
import type { calendarValidator } from '#validators/telephony'
import type { Infer } from '@vinejs/vine/types'

type Input = Infer<typeof calendarValidator>

function snapshot(calendar: Calendar) {
  return {
    name: calendar.name,
    timeZone: calendar.timeZone,
    weekly: calendar.weekly,
    holidays: calendar.holidays,
    workdayOverrides: calendar.workdayOverrides,
  }
}

function values(input: Input) {
  const weekly = input.weekly as Record<string, TimeRange[] | undefined>
  return {
    name: input.name,
    timeZone: input.timeZone,
    // Every weekday present (a closed day as []), so readers never meet a missing key.
    weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, weekly[d] ?? []])),
    holidays: (input.holidays ?? []).map((h): Holiday => ({
      date: h.date,
      ...(h.name ? { name: h.name } : {}),
      ...(h.hours?.length ? { hours: h.hours } : {}),
    })),
    workdayOverrides: (input.workdayOverrides ?? []).map((o): WorkdayOverride => ({
      date: o.date,
      ...(o.name ? { name: o.name } : {}),
      ...(o.hours?.length ? { hours: o.hours } : {}),
      ...(o.sameAs ? { sameAs: o.sameAs } : {}),
    })),
  }
}

/** The hours engine's own check (overlaps, duplicate dates, a holiday that is also a workday). */
function check(ctx: HttpContext, data: ReturnType<typeof values>) {
  const result = validateCalendar(data)
  if (!result.valid) {
    throw fieldErrors(
      ctx,
      result.errors.map((issue) => ({
        field: issue.path,
        messageKey: `telephony.calendar_issues.${issue.code}`,
        rule: `calendar.${issue.code}`,
        params: issue.params,
      }))
    )
  }
  return describeIssues(ctx, 'calendar_issues', result.warnings)
}

/** Opening-hours calendars (工作时间, 节假日) used by inbound routes and IVR hours nodes. */
export default class SaveCalendar {
  async create(ctx: HttpContext, input: Input) {
    const data = values(input)
    const warnings = check(ctx, data)
    return db.transaction(async (trx) => {
      const calendar = await Calendar.create(data, { client: trx })
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'calendar.created',
        target: { type: 'calendar', id: calendar.id, label: calendar.name },
        after: snapshot(calendar),
      })
      return { calendar, warnings }
    })
  }

  async update(ctx: HttpContext, calendar: Calendar, input: Input) {
    const data = values(input)
    const warnings = check(ctx, data)
    const before = snapshot(calendar)
    await db.transaction(async (trx) => {
      calendar.useTransaction(trx)
      calendar.merge(data)
      await calendar.save()
      const changes = diff(before, snapshot(calendar))
      if (Object.keys(changes.after).length === 0) return
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'calendar.updated',
        target: { type: 'calendar', id: calendar.id, label: calendar.name },
        ...changes,
      })
    })
    return { calendar, warnings }
  }

  async delete(ctx: HttpContext, calendar: Calendar) {
    await db.transaction(async (trx) => {
      const routes = await trx
        .from('inbound_routes')
        .where('calendar_id', calendar.id)
        .select('name')
      const flows = await flowsReferring('calendar', calendar.id, trx)
      const users = [...routes.map((r) => r.name as string), ...flows]
      if (users.length > 0) {
        throw new DomainError('telephony.calendar_in_use', 'calendar', { names: users.join(', ') })
      }
      calendar.useTransaction(trx)
      await calendar.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'calendar.deleted',
        target: { type: 'calendar', id: calendar.id, label: calendar.name },
        before: snapshot(calendar),
      })
    })
  }
}
