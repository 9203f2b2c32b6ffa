import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const CALL_COMMAND_KINDS = ['transfer', 'hold', 'unhold'] as const
export type CallCommandKind = (typeof CALL_COMMAND_KINDS)[number]

/** pending → running (claimed by the telephony worker) → done | failed */
export const CALL_COMMAND_STATUSES = ['pending', 'running', 'done', 'failed'] as const
export type CallCommandStatus = (typeof CALL_COMMAND_STATUSES)[number]

export const TRANSFER_TARGET_TYPES = ['queue', 'agent', 'external'] as const
export type TransferTargetType = (typeof TRANSFER_TARGET_TYPES)[number]

/** Where a blind transfer sends the caller, as the telephony worker reads it. */
export type TransferPayload =
  | { type: 'queue'; queueId: number }
  | { type: 'agent'; agentId: number }
  | { type: 'external'; number: string }

/**
 * An in-call command from the web (hold, resume, blind transfer). The telephony worker polls the
 * pending ones, runs each under the call's lock and sets done or failed with its result code;
 * the web marks one failed 'timeout' when the worker did not answer in time.
 */
export default class CallCommand extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column()
  declare callUuid: string

  @column()
  declare kind: CallCommandKind

  /** JSON text on SQLite, json on PostgreSQL (which hands back an object). */
  @column({
    prepare: (value: unknown) => JSON.stringify(value ?? {}),
    consume: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : (value ?? {})),
  })
  declare payload: Partial<TransferPayload> & Record<string, unknown>

  @column()
  declare requestedBy: number | null

  @column()
  declare status: CallCommandStatus

  @column()
  declare result: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare handledAt: DateTime | null
}
