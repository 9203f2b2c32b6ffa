import { errors as vineErrors } from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import db from '@adonisjs/lucid/services/db'
import type { IvrNodes } from '#models/ivr_flow'

/*
| Shared by the calls-configuration actions: audit diffs, "is it still used?" lookups and
| turning the telephony engines' issue lists into ordinary, translated field errors.
*/

function same(a: unknown, b: unknown) {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Only the fields that changed, before and after; empty `after` when nothing changed. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = Object.keys(after).filter((k) => !same(before[k], after[k]))
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  }
}

export type ReferenceKind = 'queue' | 'calendar' | 'prompt' | 'agent'

const REFERENCE_KEYS: Record<ReferenceKind, string> = {
  queue: 'queueId',
  calendar: 'calendarId',
  prompt: 'promptId',
  agent: 'agentId',
}

/** Whether any node of a flow (at any depth, e.g. a voicemail target) refers to `kind` `id`. */
export function flowRefersTo(nodes: IvrNodes, kind: ReferenceKind, id: number) {
  const key = REFERENCE_KEYS[kind]
  const visit = (value: unknown): boolean => {
    if (!value || typeof value !== 'object') return false
    if (Array.isArray(value)) return value.some(visit)
    return Object.entries(value).some(
      ([k, v]) => (k === key && String(v) === String(id)) || visit(v)
    )
  }
  return Object.values(nodes).some(visit)
}

/** Names of the IVR flows that use `kind` `id`. */
export async function flowsReferring(
  kind: ReferenceKind,
  id: number,
  client: TransactionClientContract | typeof db = db
) {
  const rows = await client.from('ivr_flows').select('name', 'nodes')
  return rows
    .filter((row) => flowRefersTo(JSON.parse(row.nodes), kind, id))
    .map((row) => row.name as string)
}

/** Names of the inbound routes that send calls to `type` `id`, open or closed. */
export async function routesReferring(
  type: 'ivr' | 'queue' | 'agent',
  id: number,
  client: TransactionClientContract | typeof db = db
) {
  const rows = await client
    .from('inbound_routes')
    .where((q) =>
      q
        .where((w) => w.where('target_type', type).where('target_id', id))
        .orWhere((w) => w.where('closed_target_type', type).where('closed_target_id', id))
    )
    .select('name')
  return rows.map((row) => row.name as string)
}

/**
 * Calls keep pointing at the route, IVR flow and queue they went through: reports group by them,
 * so one with call history is disabled or left unused, not deleted.
 */
export async function hasCallHistory(
  column: 'route_id' | 'ivr_flow_id' | 'queue_id',
  id: number,
  client: TransactionClientContract | typeof db = db
) {
  return Boolean(await client.from('calls').where(column, id).select('id').first())
}

export interface FieldIssue {
  field: string
  /** Key under `messages.` in resources/lang/<locale>/messages.json. */
  messageKey: string
  rule: string
  params?: Record<string, unknown>
}

/** An engine's issues with a translated `message` added, for pages and JSON clients alike. */
export function describeIssues<T extends { code: string; params: Record<string, unknown> }>(
  ctx: HttpContext,
  namespace: 'ivr_issues' | 'calendar_issues',
  issues: T[],
  extra: (issue: T) => Record<string, unknown> = () => ({})
) {
  return issues.map((issue) => ({
    ...issue,
    message: ctx.i18n.t(`messages.telephony.${namespace}.${issue.code}`, {
      ...issue.params,
      ...extra(issue),
    }),
  }))
}

/**
 * Field errors found after the VineJS schema (by the IVR or ACD engine's own checks), raised as
 * a VineJS validation error so browsers and JSON clients get them exactly like schema errors.
 */
export function fieldErrors(ctx: HttpContext, issues: FieldIssue[]) {
  return new vineErrors.E_VALIDATION_ERROR(
    issues.map((issue) => ({
      field: issue.field,
      rule: issue.rule,
      message: ctx.i18n.t(`messages.${issue.messageKey}`, issue.params ?? {}),
      meta: issue.params,
    }))
  )
}
