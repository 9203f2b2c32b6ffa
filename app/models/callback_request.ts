import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Call from '#models/call'
import Queue from '#models/queue'
import User from '#models/user'

export type CallbackStatus = 'pending' | 'done' | 'cancelled'

/** The caller asked to be called back; `enteredAt` keeps their place in the queue. */
export default class CallbackRequest extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column({ consume: (value) => (value === null ? null : Number(value)) })
  declare callId: number | null

  @column()
  declare number: string

  @column()
  declare queueId: number | null

  @column.dateTime()
  declare enteredAt: DateTime

  @column()
  declare status: CallbackStatus

  @column()
  declare handledBy: number | null

  @column.dateTime()
  declare handledAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Call)
  declare call: BelongsTo<typeof Call>

  @belongsTo(() => Queue)
  declare queue: BelongsTo<typeof Queue>

  /** Who called back or cancelled it. */
  @belongsTo(() => User, { foreignKey: 'handledBy' })
  declare handler: BelongsTo<typeof User>
}
