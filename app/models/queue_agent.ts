import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

export default class QueueAgent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare queueId: number

  @column()
  declare userId: number

  /** Lower is offered first. */
  @column()
  declare penalty: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>
}
