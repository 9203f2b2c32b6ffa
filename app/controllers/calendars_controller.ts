import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Calendar from '#models/calendar'
import SaveCalendar from '#actions/telephony_config/save_calendar'
import TelephonyPolicy from '#policies/telephony_policy'
import CalendarTransformer from '#transformers/calendar_transformer'
import { changed, renderPage } from '#transformers/page_or_json'
import { calendarValidator, telephonyMessages } from '#validators/telephony'

/** Opening-hours calendars: supervisors read, admins change. */
export default class CalendarsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const calendars = await Calendar.query().orderBy('name')
    return renderPage(ctx, 'telephony/calendars/index', {
      calendars: CalendarTransformer.transform(calendars),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const calendar = await Calendar.findOrFail(ctx.params.id)
    return renderPage(ctx, 'telephony/calendars/show', {
      calendar: CalendarTransformer.transform(calendar),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SaveCalendar) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(calendarValidator, {
      meta: {},
      messagesProvider: telephonyMessages(ctx),
    })
    const { calendar, warnings } = await save.create(ctx, input)
    return changed(ctx, {
      flash: 'telephony.calendar_created',
      path: `/telephony/calendars/${calendar.id}`,
      status: 201,
      body: { calendar: CalendarTransformer.transform(calendar), warnings },
    })
  }

  @inject()
  async update(ctx: HttpContext, save: SaveCalendar) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const calendar = await Calendar.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(calendarValidator, {
      meta: { calendarId: calendar.id },
      messagesProvider: telephonyMessages(ctx),
    })
    const { warnings } = await save.update(ctx, calendar, input)
    return changed(ctx, {
      flash: 'telephony.calendar_updated',
      path: `/telephony/calendars/${calendar.id}`,
      body: { calendar: CalendarTransformer.transform(calendar), warnings },
    })
  }

  @inject()
  async destroy(ctx: HttpContext, save: SaveCalendar) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await Calendar.findOrFail(ctx.params.id))
    return changed(ctx, { flash: 'telephony.calendar_deleted', path: '/telephony/calendars' })
  }
}
