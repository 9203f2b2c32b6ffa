import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { AgentStateName } from '#models/agent_state'

/** Append-only: one row per status change, for time-in-state reports. */
export default class AgentStateEvent extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare fromState: AgentStateName | null

  @column()
  declare toState: AgentStateName

  @column()
  declare reason: string | null

  @column()
  declare changedBy: number | null

  /** Epoch milliseconds. */
  @column({ consume: (value) => Number(value) })
  declare at: number
}
