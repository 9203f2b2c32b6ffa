import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class ServiceHeartbeat extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare service: string

  @column()
  declare status: string

  @column()
  declare detail: string | null

  @column.dateTime()
  declare updatedAt: DateTime
}
