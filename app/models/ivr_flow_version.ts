import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { IvrNodes } from '#models/ivr_flow'

/** Every saved version of an IVR flow, so a call's (flow, version) can always be replayed. */
export default class IvrFlowVersion extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare ivrFlowId: number

  @column()
  declare version: number

  @column()
  declare entryNode: string

  @column({
    prepare: (value: unknown) => JSON.stringify(value),
    consume: (value: string) => JSON.parse(value),
  })
  declare nodes: IvrNodes

  @column()
  declare savedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
