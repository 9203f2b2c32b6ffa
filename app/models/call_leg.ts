import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type CallLegKind = 'customer' | 'agent' | 'external'

/** One Asterisk channel of a call. */
export default class CallLeg extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column({ consume: (value) => Number(value) })
  declare callId: number

  @column()
  declare channelId: string

  @column()
  declare kind: CallLegKind

  @column()
  declare endpoint: string | null

  @column()
  declare userId: number | null

  @column.dateTime()
  declare startedAt: DateTime

  @column.dateTime()
  declare answeredAt: DateTime | null

  @column.dateTime()
  declare endedAt: DateTime | null

  @column()
  declare cause: string | null
}
