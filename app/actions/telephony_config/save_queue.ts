import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Queue from '#models/queue'
import QueueAgent from '#models/queue_agent'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import {
  diff,
  fieldErrors,
  flowsReferring,
  hasCallHistory,
  routesReferring,
} from '#actions/telephony_config/support'
import { validateQueueConfig } from '#telephony/acd/validate_queue_config'
import type { queueValidator } from '#validators/telephony'
import type { Infer } from '@vinejs/vine/types'

type Input = Infer<typeof queueValidator>

const AUDITED = [
  'name',
  'strategy',
  'requiredSkillId',
  'requiredSkillLevel',
  'priority',
  'ringTimeoutSeconds',
  'wrapUpSeconds',
  'maxWaitSeconds',
  'overflowAction',
  'overflowTarget',
  'announceEverySeconds',
  'musicOnHold',
  'recordingRetentionDays',
  'serviceLevelSeconds',
] as const

function snapshot(queue: Queue) {
  return Object.fromEntries(AUDITED.map((f) => [f, queue[f]]))
}

function values(input: Input) {
  return {
    name: input.name,
    strategy: input.strategy,
    requiredSkillId: input.requiredSkillId ?? null,
    requiredSkillLevel: input.requiredSkillLevel ?? 1,
    priority: input.priority ?? 0,
    ringTimeoutSeconds: input.ringTimeoutSeconds,
    wrapUpSeconds: input.wrapUpSeconds,
    maxWaitSeconds: input.maxWaitSeconds,
    overflowAction: input.overflowAction,
    overflowTarget: ['queue', 'voicemail'].includes(input.overflowAction)
      ? (input.overflowTarget ?? null)
      : null,
    announceEverySeconds: input.announceEverySeconds,
    musicOnHold: input.musicOnHold ?? 'default',
    recordingRetentionDays: input.recordingRetentionDays,
    serviceLevelSeconds: input.serviceLevelSeconds,
  }
}

/** The ACD engine's own check of what it will run; the schema should already have caught it. */
async function checkWithEngine(
  ctx: HttpContext,
  trx: TransactionClientContract,
  queue: ReturnType<typeof values>
) {
  const rows = await trx.from('queues').select('id')
  const knownQueueIds = rows.map((r) => String(r.id))
  const issues = validateQueueConfig(
    { ...queue, overflow: { action: queue.overflowAction, target: queue.overflowTarget } },
    { knownQueueIds }
  )
  if (issues.length === 0) return
  const fields: Record<string, string> = {
    'overflow.action': 'overflowAction',
    'overflow.target': 'overflowTarget',
  }
  throw fieldErrors(
    ctx,
    issues.map((issue) => ({
      field: fields[issue.field] ?? issue.field,
      messageKey: `telephony.queue_issues.${issue.code}`,
      rule: `queue.${issue.code}`,
      params: issue.params,
    }))
  )
}

/**
 * Queues (队列 / 技能组) and their member agents. Members are replaced as a whole when given; the
 * audit entry lists who was added, removed or re-ordered.
 */
export default class SaveQueue {
  async create(ctx: HttpContext, input: Input) {
    return db.transaction(async (trx) => {
      const data = values(input)
      await checkWithEngine(ctx, trx, data)
      const queue = await Queue.create(data, { client: trx })
      const members = await this.#replaceMembers(trx, queue, input.members ?? [])
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'queue.created',
        target: { type: 'queue', id: queue.id, label: queue.name },
        after: { ...snapshot(queue), members: members.after },
      })
      return queue
    })
  }

  async update(ctx: HttpContext, queue: Queue, input: Input) {
    const before = snapshot(queue)
    await db.transaction(async (trx) => {
      const data = values(input)
      await checkWithEngine(ctx, trx, data)
      queue.useTransaction(trx)
      queue.merge(data)
      await queue.save()
      const changes = diff(before, snapshot(queue))
      if (input.members !== undefined) {
        const members = await this.#replaceMembers(trx, queue, input.members)
        if (JSON.stringify(members.before) !== JSON.stringify(members.after)) {
          changes.before.members = members.before
          changes.after.members = members.after
        }
      }
      if (Object.keys(changes.after).length === 0) return
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'queue.updated',
        target: { type: 'queue', id: queue.id, label: queue.name },
        ...changes,
      })
    })
    return queue
  }

  async delete(ctx: HttpContext, queue: Queue) {
    await db.transaction(async (trx) => {
      const overflowing = await trx
        .from('queues')
        .where('overflow_action', 'queue')
        .where('overflow_target', String(queue.id))
        .select('name')
      const users = [
        ...(await routesReferring('queue', queue.id, trx)),
        ...(await flowsReferring('queue', queue.id, trx)),
        ...overflowing.map((r) => r.name as string),
      ]
      if (users.length > 0) {
        throw new DomainError('telephony.queue_in_use', 'queue', { names: users.join(', ') })
      }
      if (await hasCallHistory('queue_id', queue.id, trx)) {
        throw new DomainError('telephony.has_call_history', 'queue')
      }
      const members = await QueueAgent.query({ client: trx }).where('queue_id', queue.id)
      queue.useTransaction(trx)
      await queue.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'queue.deleted',
        target: { type: 'queue', id: queue.id, label: queue.name },
        before: {
          ...snapshot(queue),
          members: members.map((m) => ({ userId: m.userId, penalty: m.penalty })),
        },
      })
    })
  }

  async #replaceMembers(
    trx: TransactionClientContract,
    queue: Queue,
    wanted: Array<{ userId: number; penalty?: number }>
  ) {
    const existing = await QueueAgent.query({ client: trx })
      .where('queue_id', queue.id)
      .orderBy('user_id')
    const before = existing.map((m) => ({ userId: m.userId, penalty: m.penalty }))
    const byUser = new Map(existing.map((m) => [m.userId, m]))
    const keep = new Set<number>()
    for (const w of wanted) {
      keep.add(w.userId)
      const current = byUser.get(w.userId)
      const penalty = w.penalty ?? 0
      if (!current) {
        await QueueAgent.create({ queueId: queue.id, userId: w.userId, penalty }, { client: trx })
      } else if (current.penalty !== penalty) {
        current.useTransaction(trx)
        current.penalty = penalty
        await current.save()
      }
    }
    const gone = existing.filter((m) => !keep.has(m.userId)).map((m) => m.id)
    if (gone.length > 0) await QueueAgent.query({ client: trx }).whereIn('id', gone).delete()
    const after = wanted
      .map((w) => ({ userId: w.userId, penalty: w.penalty ?? 0 }))
      .sort((a, b) => a.userId - b.userId)
    return { before, after }
  }
}
