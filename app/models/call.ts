import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import User from '#models/user'
import Queue from '#models/queue'
import Customer from '#models/customer'
import InboundRoute from '#models/inbound_route'
import IvrFlow from '#models/ivr_flow'
import CallLeg from '#models/call_leg'
import CallEvent from '#models/call_event'
import Recording from '#models/recording'

export const CALL_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const
export type CallDirection = (typeof CALL_DIRECTIONS)[number]

export const CALL_STATES = ['ivr', 'queue', 'ringing', 'bridged', 'voicemail', 'ended'] as const
export type CallState = (typeof CALL_STATES)[number]

const bool = { consume: (value: unknown) => Boolean(value) }

/** One call, as the reports and the call list see it. `uuid` is its public id. */
export default class Call extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column()
  declare uuid: string

  @column()
  declare direction: CallDirection

  @column()
  declare did: string | null

  @column()
  declare callerNumber: string | null

  @column()
  declare callerName: string | null

  @column()
  declare customerId: number | null

  @column.dateTime()
  declare startedAt: DateTime

  @column.dateTime()
  declare answeredAt: DateTime | null

  @column.dateTime()
  declare endedAt: DateTime | null

  @column()
  declare endCause: string | null

  @column()
  declare routeId: number | null

  @column()
  declare ivrFlowId: number | null

  @column()
  declare ivrFlowVersion: number | null

  @column()
  declare queueId: number | null

  /** The agent (a user) who answered, or last was offered, the call. */
  @column()
  declare agentId: number | null

  @column()
  declare waitSeconds: number

  @column()
  declare talkSeconds: number

  @column()
  declare holdSeconds: number

  @column()
  declare wrapUpSeconds: number

  @column(bool)
  declare transferred: boolean

  @column(bool)
  declare abandoned: boolean

  @column(bool)
  declare hasRecording: boolean

  @column()
  declare state: CallState

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User, { foreignKey: 'agentId' })
  declare agent: BelongsTo<typeof User>

  @belongsTo(() => Queue)
  declare queue: BelongsTo<typeof Queue>

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @belongsTo(() => InboundRoute, { foreignKey: 'routeId' })
  declare route: BelongsTo<typeof InboundRoute>

  @belongsTo(() => IvrFlow)
  declare ivrFlow: BelongsTo<typeof IvrFlow>

  @hasMany(() => CallLeg)
  declare legs: HasMany<typeof CallLeg>

  @hasMany(() => CallEvent)
  declare events: HasMany<typeof CallEvent>

  @hasMany(() => Recording)
  declare recordings: HasMany<typeof Recording>
}
