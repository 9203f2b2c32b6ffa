import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import IvrFlow from '#models/ivr_flow'
import IvrFlowVersion from '#models/ivr_flow_version'
import Calendar from '#models/calendar'
import Prompt from '#models/prompt'
import Queue from '#models/queue'
import SaveIvrFlow from '#actions/telephony_config/save_ivr_flow'
import TelephonyPolicy from '#policies/telephony_policy'
import IvrFlowTransformer from '#transformers/ivr_flow_transformer'
import { changed, renderPage } from '#transformers/page_or_json'
import { ivrFlowValidator, telephonyMessages } from '#validators/telephony'

/** What an IVR node can refer to, for the flow editor's pickers. */
async function choices() {
  const [queues, prompts, calendars] = await Promise.all([
    Queue.query().select('id', 'name').orderBy('name'),
    Prompt.query().orderBy('name'),
    Calendar.query().select('id', 'name').orderBy('name'),
  ])
  return {
    queues: queues.map((q) => ({ id: String(q.id), name: q.name })),
    prompts: prompts.map((p) => ({
      id: String(p.id),
      name: p.name,
      kind: p.kind,
      sound: p.sound,
      durationMs: p.durationMs,
    })),
    calendars: calendars.map((c) => ({ id: String(c.id), name: c.name })),
  }
}

export default class IvrFlowsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const flows = await IvrFlow.query().orderBy('name')
    return renderPage(ctx, 'telephony/ivr_flows/index', {
      flows: IvrFlowTransformer.transform(flows),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  /** The flow with its nodes, what the IVR engine thinks of it now, and its saved versions. */
  @inject()
  async show(ctx: HttpContext, save: SaveIvrFlow) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const flow = await IvrFlow.findOrFail(ctx.params.id)
    const issues = await save.check(db.connection(), flow.entryNode, flow.nodes)
    const versions = await IvrFlowVersion.query()
      .where('ivr_flow_id', flow.id)
      .orderBy('version', 'desc')
      .select('version', 'saved_by', 'created_at')
    return renderPage(ctx, 'telephony/ivr_flows/show', {
      flow: IvrFlowTransformer.transform(flow).useVariant('forDetail'),
      issues: {
        errors: save.describe(ctx, issues.errors),
        warnings: save.describe(ctx, issues.warnings),
      },
      versions: versions.map((v) => ({
        version: v.version,
        savedBy: v.savedBy,
        savedAt: v.createdAt.toISO(),
      })),
      choices: await choices(),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SaveIvrFlow) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(ivrFlowValidator, {
      meta: {},
      messagesProvider: telephonyMessages(ctx),
    })
    const { flow, warnings } = await save.create(ctx, input)
    return changed(ctx, {
      flash: 'telephony.ivr_flow_created',
      path: `/telephony/ivr-flows/${flow.id}`,
      status: 201,
      body: { flow: IvrFlowTransformer.transform(flow).useVariant('forDetail'), warnings },
    })
  }

  @inject()
  async update(ctx: HttpContext, save: SaveIvrFlow) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const current = await IvrFlow.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(ivrFlowValidator, {
      meta: { flowId: current.id },
      messagesProvider: telephonyMessages(ctx),
    })
    const { flow, warnings } = await save.update(ctx, current.id, input)
    return changed(ctx, {
      flash: 'telephony.ivr_flow_saved',
      path: `/telephony/ivr-flows/${flow.id}`,
      body: { flow: IvrFlowTransformer.transform(flow).useVariant('forDetail'), warnings },
    })
  }

  @inject()
  async destroy(ctx: HttpContext, save: SaveIvrFlow) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await IvrFlow.findOrFail(ctx.params.id))
    return changed(ctx, { flash: 'telephony.ivr_flow_deleted', path: '/telephony/ivr-flows' })
  }
}
