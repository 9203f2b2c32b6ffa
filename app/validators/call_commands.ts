import vine from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import type { FieldContext } from '@vinejs/vine/types'
import { CALL_COMMAND_KINDS, TRANSFER_TARGET_TYPES } from '#models/call_command'

/*
| In-call control from the web: hold, resume, blind transfer (转接) to a queue, an agent or an
| outside number. Pass `telephonyMessages(ctx, 'call_control')`: labels and rule messages under
| messages.call_control come first.
*/

/**
 * What the telephony worker dials out to (its EXTERNAL_NUMBER): digits with an optional leading
 * +, nothing Asterisk could read as more. Kept here so the web does not load the worker.
 */
export const DIALABLE_NUMBER = /^\+?[0-9]{2,20}$/

/** People type "021-5000 1234" or "(021) 50001234": separators go, the digits are checked. */
const dialableNumber = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'string') return
    const compact = value.replace(/[\s\-().]/g, '')
    if (!DIALABLE_NUMBER.test(compact)) {
      field.report('Enter a phone number of 2 to 20 digits', 'dialable_number', field)
      return
    }
    field.mutate(compact, field)
  }
)

/** The transfer goes to a person who can ring: an enabled account with a phone. */
const agentWithPhone = vine.createRule(
  async (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'number' || !field.isValid) return
    const user = await db.from('users').where('id', value).where('is_disabled', false).first()
    if (!user) {
      field.report('The selected {{ field }} does not exist', 'database.exists', field)
      return
    }
    const device = await db.from('agent_devices').where('user_id', value).first()
    if (!device) field.report('This agent has no phone', 'agent_without_phone', field)
  },
  { isAsync: true }
)

export const callCommandValidator = vine.create({
  kind: vine.enum(CALL_COMMAND_KINDS),
  type: vine.enum(TRANSFER_TARGET_TYPES).optional().requiredWhen('kind', '=', 'transfer'),
  queueId: vine
    .number()
    .withoutDecimals()
    .min(1)
    .exists({ table: 'queues', column: 'id' })
    .optional()
    .requiredWhen('type', '=', 'queue'),
  agentId: vine
    .number()
    .withoutDecimals()
    .min(1)
    .use(agentWithPhone())
    .optional()
    .requiredWhen('type', '=', 'agent'),
  number: vine
    .string()
    .trim()
    .maxLength(40)
    .use(dialableNumber())
    .optional()
    .requiredWhen('type', '=', 'external'),
})
