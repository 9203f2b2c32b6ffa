import { setTimeout as sleep } from 'node:timers/promises'
import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { AuthorizationResponse, errors as bouncerErrors } from '@adonisjs/bouncer'
import Call from '#models/call'
import CallCommand, {
  CALL_COMMAND_KINDS,
  type CallCommandKind,
  type TransferPayload,
} from '#models/call_command'
import TelephonyPolicy from '#policies/telephony_policy'
import DomainError from '#exceptions/domain_error'
import audit from '#services/audit_service'
import { sqlTime } from '#services/db_time'
import { callCommandValidator } from '#validators/call_commands'
import { telephonyMessages } from '#validators/telephony'

export interface RequestCallCommandOptions {
  /** How long the request waits for the telephony worker (it polls every 250 ms). */
  waitMs: number
  /** How often the command row is read while waiting. */
  pollMs: number
}

export const DEFAULT_CALL_COMMAND_WAIT: RequestCallCommandOptions = { waitMs: 6_000, pollMs: 100 }

/** What the worker (or the wait running out) decided, with the translated message. */
export interface CallCommandOutcome {
  commandId: number
  status: 'done' | 'failed'
  /** The worker's result code, or 'timeout' when it did not answer in time. */
  result: string
  message: string
}

/** The worker's result codes that have a message of their own; anything else is "failed". */
const KNOWN_RESULTS = new Set([
  'transferred',
  'held',
  'resumed',
  'already_on_hold',
  'not_on_hold',
  'call_not_live',
  'not_bridged',
  'unknown_queue',
  'unknown_agent',
  'same_agent',
  'invalid_number',
  'no_trunk',
  'unknown_command',
  'timeout',
])

/**
 * Hold, resume or blind-transfer (转接) a live call from the web. Who: the agent on the call, and
 * with calls.control admins and supervisors on any call, team leads on their team's agents'
 * calls (TelephonyPolicy.controlCall); a refusal is audited like a refused recording.
 *
 * The command is written to call_commands with its audit entry in one transaction, only while
 * the call is in a conversation (bridged; otherwise 409, nothing written). The telephony worker
 * picks it up (durable: no Redis needed) and sets its result; this waits for it. When the worker
 * does not answer in time the command is marked failed 'timeout' — conditionally, only if still
 * pending — so a worker that comes back later does not put a caller on hold or transfer them
 * long after the agent gave up on the button.
 */
export default class RequestCallCommand {
  constructor(private options: RequestCallCommandOptions = DEFAULT_CALL_COMMAND_WAIT) {}

  async handle(ctx: HttpContext, callUuid: string, input: unknown): Promise<CallCommandOutcome> {
    const call = await Call.query().where('uuid', callUuid).preload('agent').firstOrFail()
    await this.#authorize(ctx, call, input)
    const data = await callCommandValidator.validate(input, {
      messagesProvider: telephonyMessages(ctx, 'call_control'),
    })
    const target = data.kind === 'transfer' ? this.#target(data) : null
    const actor = ctx.auth.getUserOrFail()

    const command = await db.transaction(async (trx) => {
      // The worker's state as of now. Advisory: the worker checks again under the call's lock and
      // answers not_bridged / call_not_live if the conversation ended meanwhile.
      const current = await Call.query({ client: trx }).where('id', call.id).firstOrFail()
      if (current.state !== 'bridged') {
        throw new DomainError('call_control.not_bridged', 'call', {}, 409)
      }
      if (target?.type === 'agent' && target.agentId === current.agentId) {
        throw new DomainError('call_control.same_agent', 'agentId')
      }
      const created = await CallCommand.create(
        {
          callUuid: call.uuid,
          kind: data.kind,
          payload: target ?? {},
          requestedBy: actor.id,
          status: 'pending',
          result: null,
          handledAt: null,
        },
        { client: trx }
      )
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: `call.${data.kind}_requested`,
        target: { type: 'call', id: call.uuid, label: null },
        after: {
          commandId: created.id,
          kind: data.kind,
          agentId: current.agentId,
          ...(target ? { to: target } : {}),
        },
      })
      return created
    })

    const settled = await this.#awaitWorker(command.id)
    const result = settled.result ?? ''
    const key = KNOWN_RESULTS.has(result) ? result : 'failed'
    return {
      commandId: settled.id,
      status: settled.status === 'done' ? 'done' : 'failed',
      result,
      message: ctx.i18n.t(`messages.call_control.results.${key}`),
    }
  }

  async #authorize(ctx: HttpContext, call: Call, input: unknown) {
    const allowed = await ctx.bouncer
      .with(TelephonyPolicy)
      .allows('controlCall', call, call.agent?.teamId ?? null)
    if (allowed) return
    const kind = (input as { kind?: unknown } | null)?.kind
    await audit.record({
      ...audit.fromRequest(ctx),
      action: 'call.control_denied',
      target: { type: 'call', id: call.uuid, label: null },
      after: {
        kind: CALL_COMMAND_KINDS.includes(kind as CallCommandKind) ? kind : null,
        agentId: call.agentId,
      },
    })
    throw new bouncerErrors.E_AUTHORIZATION_FAILURE(AuthorizationResponse.deny())
  }

  #target(data: {
    type?: TransferPayload['type']
    queueId?: number
    agentId?: number
    number?: string
  }): TransferPayload {
    // The validator made the field of the chosen type required; the others are ignored.
    if (data.type === 'queue') return { type: 'queue', queueId: data.queueId! }
    if (data.type === 'agent') return { type: 'agent', agentId: data.agentId! }
    return { type: 'external', number: data.number! }
  }

  /** Polls the command row until the worker settles it, or withdraws it when time runs out. */
  async #awaitWorker(id: number): Promise<CallCommand> {
    const deadline = Date.now() + this.options.waitMs
    for (;;) {
      const row = await CallCommand.findOrFail(id)
      if (row.status !== 'pending' && row.status !== 'running') return row
      if (Date.now() >= deadline) break
      await sleep(Math.min(this.options.pollMs, Math.max(0, deadline - Date.now())))
    }
    await CallCommand.query()
      .where('id', id)
      .where('status', 'pending')
      .update({ status: 'failed', result: 'timeout', handled_at: sqlTime(DateTime.utc()) })
    // Whoever won, the worker or the timeout, the row says so now. A command the worker claimed
    // (running) is being carried out: its outcome is worth a little more waiting.
    const finishBy = Date.now() + this.options.waitMs
    let row = await CallCommand.findOrFail(id)
    while (row.status === 'running' && Date.now() < finishBy) {
      await sleep(this.options.pollMs)
      row = await CallCommand.findOrFail(id)
    }
    return row
  }
}
