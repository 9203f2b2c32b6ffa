import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

export type SessionEndReason =
  | 'signed_out'
  | 'signed_in_elsewhere'
  | 'revoked'
  | 'revoked_by_admin'
  | 'idle_timeout'
  | 'expired'
  | 'account_locked'
  | 'account_disabled'
  | 'password_changed'

export default class UserSession extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column({ serializeAs: null })
  declare sessionId: string

  @column()
  declare userId: number

  @column()
  declare ipAddress: string | null

  @column()
  declare userAgent: string | null

  @column()
  declare device: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare lastSeenAt: DateTime

  @column.dateTime()
  declare endedAt: DateTime | null

  @column()
  declare endReason: SessionEndReason | null

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
