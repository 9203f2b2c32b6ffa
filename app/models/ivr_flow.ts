import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { IvrNode } from '#telephony/ivr/types'

/**
 * IVR nodes keyed by node id (play, menu, collect, queue, voicemail, transfer, hangup, hours).
 * The shape is owned by the IVR engine (app/telephony/ivr); this model stores it as JSON text.
 */
export type IvrNodes = Record<string, IvrNode>

const json = {
  prepare: (value: unknown) => JSON.stringify(value),
  consume: (value: string) => JSON.parse(value),
}

export default class IvrFlow extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare entryNode: string

  @column(json)
  declare nodes: IvrNodes

  /** Bumped on every save; calls record the version they ran. */
  @column()
  declare version: number

  @column()
  declare updatedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
