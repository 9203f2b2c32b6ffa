import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class Voicemail extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column({ consume: (value) => Number(value) })
  declare callId: number

  @column()
  declare queueId: number | null

  @column()
  declare agentId: number | null

  @column({ serializeAs: null })
  declare recordingPath: string

  /** The sealed audio in the recordings vault (kind voicemail). */
  @column({ consume: (value) => (value === null ? null : Number(value)) })
  declare recordingId: number | null

  @column()
  declare durationMs: number

  @column()
  declare listenedBy: number | null

  @column.dateTime()
  declare listenedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
