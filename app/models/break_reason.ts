import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class BreakReason extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare code: string

  /** Digits dialled after *22 on a phone to take this break (feature codes); optional. */
  @column()
  declare dialCode: string | null

  @column()
  declare nameEn: string

  @column()
  declare nameZhCn: string

  @column({ consume: (value) => Boolean(value) })
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
