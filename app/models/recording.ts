import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** Audio of a call, encrypted at rest; the row outlives the file (deleted_at) for the audit. */
export default class Recording extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column({ consume: (value) => Number(value) })
  declare callId: number

  @column({ serializeAs: null })
  declare storagePath: string

  @column()
  declare format: string

  /** call (a conversation with an agent) or voicemail (a caller's message). */
  @column()
  declare kind: 'call' | 'voicemail'

  @column({ consume: (value) => Number(value) })
  declare bytes: number

  @column()
  declare durationMs: number

  @column({ consume: (value) => Boolean(value) })
  declare encrypted: boolean

  @column()
  declare keyId: string | null

  @column({ serializeAs: null })
  declare iv: string | null

  @column({ serializeAs: null })
  declare authTag: string | null

  @column({ columnName: 'sha256' })
  declare sha256: string | null

  @column.dateTime()
  declare retentionUntil: DateTime | null

  @column.dateTime()
  declare deletedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
