import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Call from '#models/call'
import Queue from '#models/queue'
import Recording from '#models/recording'
import User from '#models/user'

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

  @belongsTo(() => Call)
  declare call: BelongsTo<typeof Call>

  @belongsTo(() => Queue)
  declare queue: BelongsTo<typeof Queue>

  /** The agent the message was left for (null: left for a queue). */
  @belongsTo(() => User, { foreignKey: 'agentId' })
  declare agent: BelongsTo<typeof User>

  /** Who played it first. */
  @belongsTo(() => User, { foreignKey: 'listenedBy' })
  declare listener: BelongsTo<typeof User>

  @belongsTo(() => Recording)
  declare recording: BelongsTo<typeof Recording>
}
