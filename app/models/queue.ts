import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Skill from '#models/skill'
import QueueAgent from '#models/queue_agent'

export const QUEUE_STRATEGIES = [
  'longest_idle',
  'round_robin',
  'fewest_calls_today',
  'skills_based',
] as const
export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number]

export const OVERFLOW_ACTIONS = ['voicemail', 'queue', 'callback', 'transfer', 'hangup'] as const
export type OverflowAction = (typeof OVERFLOW_ACTIONS)[number]

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

  /** A queue id when overflowing to a queue, a phone number when transferring out. */
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
