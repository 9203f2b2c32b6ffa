import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Queue from '#models/queue'
import Skill from '#models/skill'
import User from '#models/user'
import SaveQueue from '#actions/telephony_config/save_queue'
import TelephonyPolicy from '#policies/telephony_policy'
import QueueTransformer from '#transformers/queue_transformer'
import { changed, renderPage } from '#transformers/page_or_json'
import { queueValidator, telephonyMessages } from '#validators/telephony'
import { QUEUE_STRATEGIES, OVERFLOW_ACTIONS } from '#models/queue'

/** Skills and the people who can take calls, for the queue form's pickers. */
async function choices() {
  const [skills, agents] = await Promise.all([
    Skill.query().orderBy('name'),
    User.query()
      .whereIn('role', ['agent', 'team_lead'])
      .where('is_disabled', false)
      .select('id', 'full_name', 'team_id')
      .orderBy('full_name'),
  ])
  return {
    skills: skills.map((s) => ({ id: s.id, name: s.name })),
    agents: agents.map((a) => ({ id: a.id, fullName: a.fullName, teamId: a.teamId })),
    strategies: [...QUEUE_STRATEGIES],
    overflowActions: [...OVERFLOW_ACTIONS],
  }
}

function withDetail(id: number | string) {
  return Queue.query()
    .where('id', id)
    .preload('requiredSkill')
    .preload('members', (q) => q.preload('user').orderBy('penalty').orderBy('user_id'))
    .firstOrFail()
}

export default class QueuesController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const queues = await Queue.query()
      .preload('requiredSkill')
      .withCount('members', (q) => q.as('members_count'))
      .orderBy('name')
    return renderPage(ctx, 'telephony/queues/index', {
      queues: QueueTransformer.transform(queues),
      choices: await choices(),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const queue = await withDetail(ctx.params.id)
    return renderPage(ctx, 'telephony/queues/show', {
      queue: QueueTransformer.transform(queue).useVariant('forDetail'),
      choices: await choices(),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SaveQueue) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(queueValidator, {
      meta: {},
      messagesProvider: telephonyMessages(ctx),
    })
    const queue = await save.create(ctx, input)
    return changed(ctx, {
      flash: 'telephony.queue_created',
      path: `/telephony/queues/${queue.id}`,
      status: 201,
      body: {
        queue: QueueTransformer.transform(await withDetail(queue.id)).useVariant('forDetail'),
      },
    })
  }

  @inject()
  async update(ctx: HttpContext, save: SaveQueue) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const queue = await Queue.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(queueValidator, {
      meta: { queueId: queue.id },
      messagesProvider: telephonyMessages(ctx),
    })
    await save.update(ctx, queue, input)
    return changed(ctx, {
      flash: 'telephony.queue_updated',
      path: `/telephony/queues/${queue.id}`,
      body: {
        queue: QueueTransformer.transform(await withDetail(queue.id)).useVariant('forDetail'),
      },
    })
  }

  @inject()
  async destroy(ctx: HttpContext, save: SaveQueue) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await Queue.findOrFail(ctx.params.id))
    return changed(ctx, { flash: 'telephony.queue_deleted', path: '/telephony/queues' })
  }
}
