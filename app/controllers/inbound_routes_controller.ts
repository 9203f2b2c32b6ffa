import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import InboundRoute from '#models/inbound_route'
import Calendar from '#models/calendar'
import IvrFlow from '#models/ivr_flow'
import Queue from '#models/queue'
import User from '#models/user'
import SaveInboundRoute from '#actions/telephony_config/save_inbound_route'
import TelephonyPolicy from '#policies/telephony_policy'
import InboundRouteTransformer from '#transformers/inbound_route_transformer'
import { changed, renderPage } from '#transformers/page_or_json'
import { inboundRouteValidator, telephonyMessages } from '#validators/telephony'

/** What a route can point at, for the route form's pickers. */
async function targets() {
  const [calendars, flows, queues, agents] = await Promise.all([
    Calendar.query().select('id', 'name').orderBy('name'),
    IvrFlow.query().select('id', 'name').orderBy('name'),
    Queue.query().select('id', 'name').orderBy('name'),
    User.query()
      .whereIn('role', ['agent', 'team_lead'])
      .where('is_disabled', false)
      .select('id', 'full_name')
      .orderBy('full_name'),
  ])
  return {
    calendars: calendars.map((c) => ({ id: c.id, name: c.name })),
    ivrFlows: flows.map((f) => ({ id: f.id, name: f.name })),
    queues: queues.map((q) => ({ id: q.id, name: q.name })),
    agents: agents.map((a) => ({ id: a.id, fullName: a.fullName })),
  }
}

/** Inbound routes, in the order they are tried (higher priority first, then id). */
export default class InboundRoutesController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const routes = await InboundRoute.query()
      .preload('calendar')
      .orderBy('priority', 'desc')
      .orderBy('id', 'asc')
    return renderPage(ctx, 'telephony/inbound_routes/index', {
      routes: InboundRouteTransformer.transform(routes),
      targets: await targets(),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const route = await InboundRoute.query()
      .where('id', ctx.params.id)
      .preload('calendar')
      .firstOrFail()
    return renderPage(ctx, 'telephony/inbound_routes/show', {
      route: InboundRouteTransformer.transform(route),
      targets: await targets(),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SaveInboundRoute) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(inboundRouteValidator, {
      meta: {},
      messagesProvider: telephonyMessages(ctx),
    })
    const route = await save.create(ctx, input)
    await route.load('calendar')
    return changed(ctx, {
      flash: 'telephony.inbound_route_created',
      path: '/telephony/inbound-routes',
      status: 201,
      body: { route: InboundRouteTransformer.transform(route) },
    })
  }

  @inject()
  async update(ctx: HttpContext, save: SaveInboundRoute) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const route = await InboundRoute.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(inboundRouteValidator, {
      meta: { routeId: route.id },
      messagesProvider: telephonyMessages(ctx),
    })
    await save.update(ctx, route, input)
    await route.load('calendar')
    return changed(ctx, {
      flash: 'telephony.inbound_route_updated',
      path: '/telephony/inbound-routes',
      body: { route: InboundRouteTransformer.transform(route) },
    })
  }

  @inject()
  async destroy(ctx: HttpContext, save: SaveInboundRoute) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await InboundRoute.findOrFail(ctx.params.id))
    return changed(ctx, {
      flash: 'telephony.inbound_route_deleted',
      path: '/telephony/inbound-routes',
    })
  }
}
