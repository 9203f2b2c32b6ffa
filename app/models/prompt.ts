import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type PromptKind = 'builtin' | 'upload'

export default class Prompt extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare kind: PromptKind

  /** Asterisk sound name (builtin), e.g. `ringdesk/welcome`. */
  @column()
  declare sound: string | null

  /** Uploaded file, relative to the storage root. */
  @column()
  declare filePath: string | null

  @column()
  declare durationMs: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
