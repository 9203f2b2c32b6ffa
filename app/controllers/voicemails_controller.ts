import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Voicemail from '#models/voicemail'
import Queue from '#models/queue'
import User from '#models/user'
import OpenVoicemail from '#actions/voicemails/open_voicemail'
import VoicemailPolicy, { voicemailScope } from '#policies/voicemail_policy'
import VoicemailTransformer from '#transformers/voicemail_transformer'
import { sendAudio } from '#controllers/recordings_controller'
import { sqlTime } from '#services/db_time'
import { can } from '#app/auth/roles'
import { renderPage } from '#transformers/page_or_json'
import { telephonyMessages } from '#validators/telephony'
import { voicemailListValidator } from '#validators/voicemails'

/**
 * Voicemail (语音信箱): everyone has a list, narrowed by VoicemailPolicy's scope (all, their
 * team's agents', their own); paged, sorted and filtered on the server. Playing is audited and
 * marks the message listened.
 */
export default class VoicemailsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(VoicemailPolicy).authorize('viewList')
    const actor = ctx.auth.getUserOrFail()
    const q = await voicemailListValidator.validate(ctx.request.qs(), {
      messagesProvider: telephonyMessages(ctx),
    })
    const scope = voicemailScope(actor)
    const teamAgents = db
      .from('users')
      .select('id')
      .where('team_id', actor.teamId ?? -1)

    const query = Voicemail.query()
      .preload('call')
      .preload('queue')
      .preload('agent')
      .preload('listener')
      .preload('recording')
    if (scope === 'own') query.where('agent_id', actor.id)
    if (scope === 'team') {
      query.where((w) => w.where('agent_id', actor.id).orWhereIn('agent_id', teamAgents))
    }
    if (q.from) query.where('created_at', '>=', sqlTime(DateTime.fromJSDate(q.from)))
    if (q.to) query.where('created_at', '<=', sqlTime(DateTime.fromJSDate(q.to).endOf('day')))
    if (q.queueId) query.where('queue_id', q.queueId)
    if (q.agentId) query.where('agent_id', q.agentId)
    if (q.listened === 'yes') query.whereNotNull('listened_at')
    if (q.listened === 'no') query.whereNull('listened_at')
    const order = q.order ?? 'desc'
    query.orderBy(q.sort ?? 'created_at', order).orderBy('id', order)
    const page = await query.paginate(q.page ?? 1, q.perPage ?? 50)

    const agents = User.query()
      .whereIn('role', ['agent', 'team_lead'])
      .select('id', 'full_name')
      .orderBy('full_name')
    if (scope === 'team')
      agents.where((w) => w.where('team_id', actor.teamId ?? -1).orWhere('id', actor.id))
    if (scope === 'own') agents.where('id', actor.id)
    const [queues, pickable] = await Promise.all([
      Queue.query().select('id', 'name').orderBy('name'),
      agents,
    ])
    return renderPage(ctx, 'voicemails/index', {
      voicemails: VoicemailTransformer.transform(page.all()),
      meta: page.getMeta(),
      filters: { ...q, from: ctx.request.qs().from ?? null, to: ctx.request.qs().to ?? null },
      queues: queues.map((x) => ({ id: x.id, name: x.name })),
      agents: pickable.map((a) => ({ id: a.id, fullName: a.fullName })),
      scope,
      // A link to the call, for those who see every call.
      canViewCalls: scope === 'all' && can(actor.role, 'calls.view'),
    })
  }

  /** The message's audio, decrypted from the vault; `?download=1` for an attachment. */
  async audio(ctx: HttpContext) {
    const download = ['1', 'true'].includes(String(ctx.request.qs().download ?? ''))
    const { voicemail, recording, stream } = await new OpenVoicemail().handle(
      ctx,
      Number(ctx.params.id),
      download ? 'download' : 'play'
    )
    sendAudio(ctx, {
      stream,
      bytes: recording.bytes,
      fileName: `voicemail-${voicemail.id}.wav`,
      download,
    })
  }
}
