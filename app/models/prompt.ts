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

  /**
   * The converted upload, relative to the Asterisk recording directory: `prompts/<id>.wav`, what
   * `recording:prompts/<id>` plays (app/services/prompt_audio.ts). The original is kept apart.
   */
  @column()
  declare filePath: string | null

  @column()
  declare durationMs: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
