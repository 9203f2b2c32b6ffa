import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Call from '#models/call'
import Queue from '#models/queue'
import User from '#models/user'

/** pending → dialing (an agent is on it) → done; back to pending after a miss; failed at the end. */
export const CALLBACK_STATUSES = ['pending', 'dialing', 'done', 'failed', 'cancelled'] as const
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number]

/** How often the queue dials a caller who does not answer before giving up. */
export const CALLBACK_MAX_ATTEMPTS = 3

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

  @column()
  declare attempts: number

  @column.dateTime()
  declare lastAttemptAt: DateTime | null

  /** The call in which an agent reached the customer (or last tried to). */
  @column({ consume: (value) => (value === null ? null : Number(value)) })
  declare callbackCallId: number | null

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
