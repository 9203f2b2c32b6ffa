import { BaseModel, column } from '@adonisjs/lucid/orm'

export const CALL_EVENT_TYPES = [
  'route_selected',
  'ivr_node',
  'ivr_digits',
  'queue_entered',
  'queue_left',
  'offered',
  'ring_no_answer',
  'answered',
  'abandoned',
  'announced',
  'overflowed',
  'transferred',
  'transfer_failed',
  'external_answered',
  'hold',
  'unhold',
  'recording_started',
  'recording_finished',
  'voicemail',
  'voicemail_left',
  'voicemail_empty',
  'callback_requested',
  'callback_started',
  'callback_dialing',
  'callback_failed',
  'ended',
] as const
export type CallEventType = (typeof CALL_EVENT_TYPES)[number]

/** One step of a call's timeline, to the millisecond. */
export default class CallEvent extends BaseModel {
  @column({ isPrimary: true, consume: (value) => Number(value) })
  declare id: number

  @column({ consume: (value) => Number(value) })
  declare callId: number

  /** Epoch milliseconds. */
  @column({ consume: (value) => Number(value) })
  declare at: number

  @column()
  declare type: CallEventType

  @column({
    prepare: (value: unknown) =>
      value === null || value === undefined ? null : JSON.stringify(value),
    consume: (value: string | null) => (value === null ? null : JSON.parse(value)),
  })
  declare data: Record<string, unknown> | null
}
