import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const AGENT_STATES = [
  'available',
  'ringing',
  'on_call',
  'wrap_up',
  'break',
  'missed',
  'offline',
] as const
export type AgentStateName = (typeof AGENT_STATES)[number]

/** The current status of one agent; its history is in agent_state_events. */
export default class AgentState extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare userId: number

  @column()
  declare state: AgentStateName

  /** Break reason code while on break. */
  @column()
  declare reason: string | null

  @column.dateTime()
  declare since: DateTime

  @column()
  declare updatedBy: number | null
}
