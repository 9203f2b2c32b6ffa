import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Call from '#models/call'
import Queue from '#models/queue'
import User from '#models/user'
import TelephonyPolicy from '#policies/telephony_policy'
import CallTransformer from '#transformers/call_transformer'
import audit from '#services/audit_service'
import { sqlTime } from '#services/db_time'
import { callControlOptions, isOnHold } from '#services/call_control'
import { renderPage } from '#transformers/page_or_json'
import { callListValidator, telephonyMessages } from '#validators/telephony'

/**
 * Call records. Paged, sorted and filtered on the server; a team lead's list holds only calls
 * handled by an agent of their team. Opening one call is audited: it shows who called.
 */
export default class CallRecordsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewCalls')
    const actor = ctx.auth.getUserOrFail()
    const q = await callListValidator.validate(ctx.request.qs(), {
      messagesProvider: telephonyMessages(ctx),
    })
    const teamAgents = db
      .from('users')
      .select('id')
      .where('team_id', actor.teamId ?? -1)

    const query = Call.query().preload('queue').preload('agent').preload('customer')
    if (actor.role === 'team_lead') query.whereIn('agent_id', teamAgents)
    if (q.from) query.where('started_at', '>=', sqlTime(DateTime.fromJSDate(q.from)))
    if (q.to) query.where('started_at', '<=', sqlTime(DateTime.fromJSDate(q.to).endOf('day')))
    if (q.queueId) query.where('queue_id', q.queueId)
    if (q.agentId) query.where('agent_id', q.agentId)
    if (q.direction) query.where('direction', q.direction)
    if (q.outcome === 'answered') query.whereNotNull('answered_at')
    if (q.outcome === 'abandoned') query.where('abandoned', true)
    if (q.caller) query.where('caller_number', 'like', `%${q.caller}%`)
    const order = q.order ?? 'desc'
    query.orderBy(q.sort ?? 'started_at', order).orderBy('id', order)
    const page = await query.paginate(q.page ?? 1, q.perPage ?? 50)

    const agents = User.query()
      .whereIn('role', ['agent', 'team_lead'])
      .select('id', 'full_name')
      .orderBy('full_name')
    if (actor.role === 'team_lead') agents.where('team_id', actor.teamId ?? -1)
    const queues = await Queue.query().select('id', 'name').orderBy('name')
    const pickable = await agents
    return renderPage(ctx, 'telephony/calls/index', {
      calls: CallTransformer.transform(page.all()),
      meta: page.getMeta(),
      filters: { ...q, from: ctx.request.qs().from ?? null, to: ctx.request.qs().to ?? null },
      queues: queues.map((x) => ({ id: x.id, name: x.name })),
      agents: pickable.map((a) => ({ id: a.id, fullName: a.fullName })),
      canListen: await ctx.bouncer.with(TelephonyPolicy).allows('listenRecordings'),
    })
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewCalls')
    const call = await Call.query()
      .where('uuid', ctx.params.id)
      .preload('queue')
      .preload('agent')
      .preload('customer')
      .preload('route')
      .preload('ivrFlow')
      .preload('legs', (q) => q.orderBy('started_at').orderBy('id'))
      .preload('events', (q) => q.orderBy('at').orderBy('id'))
      .preload('recordings', (q) => q.where('kind', 'call').orderBy('id'))
      .firstOrFail()
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewCall', call, call.agent?.teamId ?? null)
    await audit.record({
      ...audit.fromRequest(ctx),
      action: 'call.viewed',
      target: { type: 'call', id: call.uuid, label: null },
    })
    // Hold and transfer while the call is in a conversation, for whoever may control it.
    const canControl =
      call.state === 'bridged' &&
      (await ctx.bouncer
        .with(TelephonyPolicy)
        .allows('controlCall', call, call.agent?.teamId ?? null))
    return renderPage(ctx, 'telephony/calls/show', {
      call: CallTransformer.transform(call).useVariant('forDetail'),
      canListen: await ctx.bouncer.with(TelephonyPolicy).allows('listenRecordings'),
      canControl,
      control: canControl
        ? { onHold: await isOnHold(call.id), options: await callControlOptions(call.agentId) }
        : null,
    })
  }
}
