import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class AuditLog extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column()
  declare actorId: number | null

  @column()
  declare actorLabel: string | null

  @column()
  declare action: string

  @column()
  declare targetType: string | null

  @column()
  declare targetId: string | null

  @column()
  declare targetLabel: string | null

  @column()
  declare before: string | null

  @column()
  declare after: string | null

  @column()
  declare ipAddress: string | null

  @column()
  declare userAgent: string | null

  @column.dateTime()
  declare createdAt: DateTime

  @column()
  declare prevHash: string

  @column()
  declare hash: string
}
