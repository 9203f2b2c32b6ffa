import vine from '@vinejs/vine'

/*
| The voicemail and callback lists: paged, sorted and filtered on the server. Translated through
| `telephonyMessages(ctx)` like the call list.
*/

const listDate = () => vine.date({ formats: ['YYYY-MM-DD', 'YYYY-MM-DDTHH:mm', 'x'] }).optional()

export const voicemailListValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([10, 200]).optional(),
  from: listDate(),
  to: listDate(),
  queueId: vine.number().withoutDecimals().optional(),
  agentId: vine.number().withoutDecimals().optional(),
  listened: vine.enum(['yes', 'no'] as const).optional(),
  sort: vine.enum(['created_at', 'duration_ms'] as const).optional(),
  order: vine.enum(['asc', 'desc'] as const).optional(),
})

/** As the telephony worker moves them: pending → dialing → done, or failed; cancelled by hand. */
export const CALLBACK_STATUSES = ['pending', 'dialing', 'done', 'failed', 'cancelled'] as const

export const callbackListValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([10, 200]).optional(),
  queueId: vine.number().withoutDecimals().optional(),
  status: vine.enum(CALLBACK_STATUSES).optional(),
})
