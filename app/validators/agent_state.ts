import vine from '@vinejs/vine'
import { IANAZone } from 'luxon'
import type { FieldContext } from '@vinejs/vine/types'
import { AGENT_STATES } from '#models/agent_state'
import { REQUESTED_STATES } from '#actions/agents/change_agent_state'

/*
| Agents' status (坐席状态): an agent's own request, a supervisor's forcing, the board's query.
| Pass `telephonyMessages(ctx)` as the messages provider (labels under telephony.fields).
*/

const timeZone = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value === 'string' && !IANAZone.isValidZone(value)) {
    field.report('Unknown time zone', 'time_zone', field)
  }
})

export const ownStateValidator = vine.create({
  state: vine.enum(REQUESTED_STATES),
  /** A break reason code; whether it exists and is active is the action's to check. */
  reason: vine.string().trim().maxLength(30).nullable().optional(),
})

/** A supervisor or team lead sends an agent back to work or signs them out; never to a break. */
export const forcedStateValidator = vine.create({
  state: vine.enum(['available', 'offline'] as const),
})

/** The agent's page: "today" is counted in the browser's time zone when it sends one. */
export const ownStatePageValidator = vine.create({
  tz: vine.string().trim().maxLength(64).use(timeZone()).optional(),
})

export const AGENT_BOARD_SORTS = ['full_name', 'state', 'since'] as const

export const agentBoardValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([10, 200]).optional(),
  search: vine.string().trim().maxLength(100).optional(),
  teamId: vine.number().withoutDecimals().min(1).optional(),
  state: vine.enum(AGENT_STATES).optional(),
  sort: vine.enum(AGENT_BOARD_SORTS).optional(),
  order: vine.enum(['asc', 'desc'] as const).optional(),
})
