import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Skill from '#models/skill'
import QueueAgent from '#models/queue_agent'
import type { OverflowAction, QueueStrategy } from '#telephony/acd/types'

// The ACD engine (app/telephony/acd) defines what a queue can do; these lists mirror its types.
export const QUEUE_STRATEGIES = [
  'longest_idle',
  'round_robin',
  'fewest_calls_today',
  'skills_based',
] as const satisfies readonly QueueStrategy[]

export const OVERFLOW_ACTIONS = [
  'voicemail',
  'queue',
  'callback',
  'hangup',
] as const satisfies readonly OverflowAction[]

export default class Queue extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare strategy: QueueStrategy

  @column()
  declare requiredSkillId: number | null

  @column()
  declare requiredSkillLevel: number

  @column()
  declare priority: number

  @column()
  declare ringTimeoutSeconds: number

  @column()
  declare wrapUpSeconds: number

  @column()
  declare maxWaitSeconds: number

  @column()
  declare overflowAction: OverflowAction

  /** A queue id when overflowing to a queue; for voicemail, a mailbox other than the queue's. */
  @column()
  declare overflowTarget: string | null

  @column()
  declare announceEverySeconds: number

  @column()
  declare musicOnHold: string

  @column()
  declare recordingRetentionDays: number

  @column()
  declare serviceLevelSeconds: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Skill, { foreignKey: 'requiredSkillId' })
  declare requiredSkill: BelongsTo<typeof Skill>

  @hasMany(() => QueueAgent)
  declare members: HasMany<typeof QueueAgent>
}
