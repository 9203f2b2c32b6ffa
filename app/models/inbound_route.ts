import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Calendar from '#models/calendar'

export const ROUTE_TARGET_TYPES = ['ivr', 'queue', 'agent'] as const
export type RouteTargetType = (typeof ROUTE_TARGET_TYPES)[number]

export const CLOSED_TARGET_TYPES = ['ivr', 'queue', 'agent', 'voicemail', 'hangup'] as const
export type ClosedTargetType = (typeof CLOSED_TARGET_TYPES)[number]

export default class InboundRoute extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  /** An exact number (4008001000) or an Asterisk-style pattern (`_400X.`). */
  @column()
  declare didPattern: string

  @column()
  declare callerPattern: string | null

  /** Higher is tried first (as queue priorities); ties by id. */
  @column()
  declare priority: number

  @column()
  declare targetType: RouteTargetType

  @column()
  declare targetId: number

  @column()
  declare calendarId: number | null

  @column()
  declare closedTargetType: ClosedTargetType | null

  /** For voicemail: the queue whose voicemail box receives the message (optional). */
  @column()
  declare closedTargetId: number | null

  @column({ consume: (value) => Boolean(value) })
  declare enabled: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Calendar)
  declare calendar: BelongsTo<typeof Calendar>
}
