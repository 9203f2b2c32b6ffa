import vine from '@vinejs/vine'
import string from '@adonisjs/core/helpers/string'
import { IANAZone } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'
import type { I18n } from '@adonisjs/i18n'
import { WEEKDAYS } from '#models/calendar'
import { QUEUE_STRATEGIES, OVERFLOW_ACTIONS } from '#models/queue'
import { ROUTE_TARGET_TYPES, CLOSED_TARGET_TYPES } from '#models/inbound_route'
import { DEVICE_TRANSPORTS } from '#models/agent_device'
import { CALL_DIRECTIONS } from '#models/call'

/*
| Validation for the calls configuration and call records. Messages come from
| resources/lang/<locale>/messages.json under `telephony.validation` (rules of this area) and
| `telephony.fields` (field names), falling back to the shared validator messages.
*/

class TelephonyMessagesProvider implements MessagesProviderContact {
  /** `area`: a messages.json section whose `fields` and `validation` are looked up first. */
  constructor(
    protected i18n: I18n,
    protected area?: string
  ) {}

  #lookup(identifiers: string[]) {
    for (const identifier of identifiers) {
      const found = this.i18n.resolveIdentifier(identifier)
      if (found) return found.message
    }
    return null
  }

  #field(name: string | number) {
    const key = String(name)
    const label = this.#lookup([
      ...(this.area ? [`messages.${this.area}.fields.${key}`] : []),
      `messages.telephony.fields.${key}`,
      `validator.shared.fields.${key}`,
    ])
    return label ? this.i18n.formatRawMessage(label) : key
  }

  getMessage(
    defaultMessage: string,
    rule: string,
    field: FieldContext,
    meta?: Record<string, any>
  ) {
    const data: Record<string, unknown> = { ...meta, field: this.#field(field.name) }
    if (meta?.otherField) data.otherField = this.#field(meta.otherField)
    const message = this.#lookup([
      ...(this.area ? [`messages.${this.area}.validation.${rule}`] : []),
      `messages.telephony.validation.${rule}`,
      `validator.shared.messages.${rule}`,
    ])
    if (message) return this.i18n.formatRawMessage(message, data)
    return string.interpolate(defaultMessage, data)
  }
}

/**
 * Pass as `messagesProvider` so field errors are translated with this area's labels; `area`
 * names a section of messages.json with its own `fields` and `validation` (e.g. call_control).
 */
export function telephonyMessages(ctx: HttpContext, area?: string) {
  return new TelephonyMessagesProvider(ctx.i18n, area)
}

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/
const DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/
const EXACT_NUMBER = /^\+?[0-9*#]{1,32}$/
/** Asterisk extension pattern: `_` then digits, X Z N, [1-5] sets, and `.` or `!` at the end. */
const DIAL_PATTERN = /^_(?:[0-9*#+XZN]|\[(?:[0-9](?:-[0-9])?)+\])+[.!]?$/
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/

export const IVR_NODE_TYPES = [
  'play',
  'menu',
  'collect',
  'queue',
  'voicemail',
  'transfer',
  'hangup',
  'hours',
] as const

const timeZone = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value === 'string' && !IANAZone.isValidZone(value)) {
    field.report('Unknown time zone', 'time_zone', field)
  }
})

/** Exact number or Asterisk pattern (X, Z, N, [1-5], trailing `.` or `!`). */
const dialPattern = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value !== 'string') return
  if (!EXACT_NUMBER.test(value) && !DIAL_PATTERN.test(value)) {
    field.report('Invalid number or pattern', 'dial_pattern', field)
  }
})

/** Opening ranges of one day; overlaps, empty and overnight ranges are the hours engine's call. */
function ranges() {
  return vine
    .array(
      vine.object({
        start: vine.string().trim().regex(TIME),
        end: vine.string().trim().regex(TIME),
      })
    )
    .maxLength(8)
}

function nameField() {
  return vine.string().trim().minLength(1).maxLength(120)
}

function uniqueIn(table: string, column: string, metaKey: string) {
  return async (client: any, value: string, field: FieldContext) => {
    const query = client.from(table).where(column, value)
    if (field.meta[metaKey]) query.whereNot('id', field.meta[metaKey])
    return !(await query.first())
  }
}

function id() {
  return vine.number().withoutDecimals().min(1)
}

async function targetExists(client: any, type: unknown, value: number) {
  const table = { ivr: 'ivr_flows', queue: 'queues', agent: 'users', voicemail: 'queues' }[
    String(type)
  ]
  if (!table) return true
  return Boolean(await client.from(table).where('id', value).first())
}

export const calendarValidator = vine.withMetaData<{ calendarId?: number }>().create({
  name: nameField().unique(uniqueIn('calendars', 'name', 'calendarId')),
  timeZone: vine.string().trim().maxLength(64).use(timeZone()),
  weekly: vine.object(Object.fromEntries(WEEKDAYS.map((day) => [day, ranges().optional()]))),
  holidays: vine
    .array(
      vine.object({
        date: vine.string().trim().regex(DATE),
        name: vine.string().trim().maxLength(120).nullable().optional(),
        hours: ranges().nullable().optional(),
      })
    )
    .maxLength(400)
    .optional(),
  workdayOverrides: vine
    .array(
      vine.object({
        date: vine.string().trim().regex(DATE),
        name: vine.string().trim().maxLength(120).nullable().optional(),
        hours: ranges().nullable().optional(),
        sameAs: vine.enum(WEEKDAYS).nullable().optional(),
      })
    )
    .maxLength(400)
    .optional(),
})

export const inboundRouteValidator = vine.withMetaData<{ routeId?: number }>().create({
  name: nameField().unique(uniqueIn('inbound_routes', 'name', 'routeId')),
  didPattern: vine.string().trim().toUpperCase().maxLength(40).use(dialPattern()),
  callerPattern: vine
    .string()
    .trim()
    .toUpperCase()
    .maxLength(40)
    .use(dialPattern())
    .nullable()
    .optional(),
  priority: vine.number().withoutDecimals().range([0, 10000]).optional(),
  targetType: vine.enum(ROUTE_TARGET_TYPES),
  targetId: id().exists((client, value, field) =>
    targetExists(client, field.parent.targetType, value)
  ),
  calendarId: id().exists({ table: 'calendars', column: 'id' }).nullable().optional(),
  closedTargetType: vine
    .enum(CLOSED_TARGET_TYPES)
    .nullable()
    .optional()
    .requiredIfExists('calendarId'),
  closedTargetId: id()
    .exists((client, value, field) => targetExists(client, field.parent.closedTargetType, value))
    .nullable()
    .optional()
    .requiredWhen('closedTargetType', 'in', ['ivr', 'queue', 'agent']),
  enabled: vine.boolean().optional(),
})

/** The entry node must be one of the flow's nodes. */
const knownNode = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  const nodes = field.parent?.nodes
  if (typeof value !== 'string' || !nodes || typeof nodes !== 'object') return
  if (!Object.hasOwn(nodes, value)) field.report('Unknown node', 'ivr_unknown_node', field)
})

const nodeIds = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (!value || typeof value !== 'object') return
  const bad = Object.keys(value).find((key) => !NODE_ID.test(key))
  if (bad !== undefined) field.report('Invalid node id', 'ivr_node_id', field, { node: bad })
})

/**
 * The structure every IVR flow has (node ids, a known type, an entry node). What each node
 * type needs is checked by the IVR engine's validateFlow in the save action.
 */
export const ivrFlowValidator = vine.withMetaData<{ flowId?: number }>().create({
  name: nameField().unique(uniqueIn('ivr_flows', 'name', 'flowId')),
  entryNode: vine.string().trim().regex(NODE_ID).use(knownNode()),
  nodes: vine
    .record(vine.object({ type: vine.enum(IVR_NODE_TYPES) }).allowUnknownProperties())
    .minLength(1)
    .maxLength(200)
    .use(nodeIds()),
  /** The version the editor started from: a save over someone else's newer save is refused. */
  expectedVersion: vine.number().withoutDecimals().min(1).optional(),
})

/** Overflow to a queue needs another queue's id. */
const overflowTarget = vine.createRule(
  async (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'string') return
    const action = field.parent?.overflowAction
    if (action === 'queue') {
      const queueId = Number(value)
      const exists =
        /^\d+$/.test(value) &&
        queueId !== field.meta.queueId &&
        (await db.from('queues').where('id', queueId).first())
      if (!exists) field.report('Choose another queue', 'overflow_queue', field)
    }
  }
)

export const queueValidator = vine.withMetaData<{ queueId?: number }>().create({
  name: nameField().unique(uniqueIn('queues', 'name', 'queueId')),
  strategy: vine.enum(QUEUE_STRATEGIES),
  requiredSkillId: id().exists({ table: 'skills', column: 'id' }).nullable().optional(),
  requiredSkillLevel: vine.number().withoutDecimals().range([1, 10]).optional(),
  priority: vine.number().withoutDecimals().range([0, 100]).optional(),
  ringTimeoutSeconds: vine.number().withoutDecimals().range([5, 300]),
  wrapUpSeconds: vine.number().withoutDecimals().range([0, 3600]),
  // 0: no limit
  maxWaitSeconds: vine.number().withoutDecimals().range([0, 86400]),
  overflowAction: vine.enum(OVERFLOW_ACTIONS),
  overflowTarget: vine
    .string()
    .trim()
    .maxLength(64)
    .use(overflowTarget())
    .nullable()
    .optional()
    .requiredWhen('overflowAction', '=', 'queue'),
  announceEverySeconds: vine.number().withoutDecimals().range([0, 3600]),
  musicOnHold: vine
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
  recordingRetentionDays: vine.number().withoutDecimals().range([1, 3650]),
  serviceLevelSeconds: vine.number().withoutDecimals().range([1, 600]),
  members: vine
    .array(
      vine.object({
        userId: id().exists({ table: 'users', column: 'id' }),
        penalty: vine.number().withoutDecimals().range([0, 100]).optional(),
      })
    )
    .maxLength(1000)
    .distinct('userId')
    .optional(),
})

export const skillValidator = vine.withMetaData<{ skillId?: number }>().create({
  name: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(60)
    .unique(uniqueIn('skills', 'name', 'skillId')),
})

export const agentSkillsValidator = vine.create({
  skills: vine
    .array(
      vine.object({
        skillId: id().exists({ table: 'skills', column: 'id' }),
        level: vine.number().withoutDecimals().range([1, 10]),
      })
    )
    .maxLength(100)
    .distinct('skillId'),
})

export const breakReasonValidator = vine.withMetaData<{ breakReasonId?: number }>().create({
  code: vine
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,29}$/)
    .unique(uniqueIn('break_reasons', 'code', 'breakReasonId')),
  /** Digits an agent dials after *22 (feature codes); empty for none. */
  dialCode: vine
    .string()
    .trim()
    .regex(/^[0-9]{1,4}$/)
    .unique(uniqueIn('break_reasons', 'dial_code', 'breakReasonId'))
    .nullable()
    .optional(),
  nameEn: vine.string().trim().minLength(1).maxLength(60),
  nameZhCn: vine.string().trim().minLength(1).maxLength(60),
  active: vine.boolean().optional(),
})

export const createDeviceValidator = vine.create({
  userId: id().exists({ table: 'users', column: 'id' }),
  endpoint: vine
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{3,40}$/)
    .unique({ table: 'agent_devices', column: 'endpoint', caseInsensitive: true })
    .optional(),
  transport: vine.enum(DEVICE_TRANSPORTS),
})

export const updateDeviceValidator = vine.create({
  transport: vine.enum(DEVICE_TRANSPORTS),
})

const listDate = () => vine.date({ formats: ['YYYY-MM-DD', 'YYYY-MM-DDTHH:mm', 'x'] }).optional()

export const agentListValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([5, 200]).optional(),
  search: vine.string().trim().maxLength(100).optional(),
  teamId: vine.number().withoutDecimals().optional(),
})

export const callListValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([10, 200]).optional(),
  from: listDate(),
  to: listDate(),
  queueId: vine.number().withoutDecimals().optional(),
  agentId: vine.number().withoutDecimals().optional(),
  direction: vine.enum(CALL_DIRECTIONS).optional(),
  outcome: vine.enum(['answered', 'abandoned'] as const).optional(),
  caller: vine
    .string()
    .trim()
    .regex(/^\+?[0-9*#]{1,32}$/)
    .optional(),
  sort: vine
    .enum(['started_at', 'wait_seconds', 'talk_seconds', 'caller_number'] as const)
    .optional(),
  order: vine.enum(['asc', 'desc'] as const).optional(),
})
