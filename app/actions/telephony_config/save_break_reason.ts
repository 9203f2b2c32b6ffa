import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import BreakReason from '#models/break_reason'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import { diff } from '#actions/telephony_config/support'

interface Input {
  code: string
  dialCode?: string | null
  nameEn: string
  nameZhCn: string
  active?: boolean
}

function snapshot(reason: BreakReason) {
  return {
    code: reason.code,
    dialCode: reason.dialCode ?? null,
    nameEn: reason.nameEn,
    nameZhCn: reason.nameZhCn,
    active: reason.active,
  }
}

/** Break reasons (小休原因) agents choose from; a used one is deactivated, not deleted. */
export default class SaveBreakReason {
  async create(ctx: HttpContext, input: Input) {
    return db.transaction(async (trx) => {
      const reason = await BreakReason.create(
        { ...input, dialCode: input.dialCode || null, active: input.active ?? true },
        { client: trx }
      )
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'break_reason.created',
        target: { type: 'break_reason', id: reason.id, label: reason.code },
        after: snapshot(reason),
      })
      return reason
    })
  }

  async update(ctx: HttpContext, reason: BreakReason, input: Input) {
    const before = snapshot(reason)
    if (before.code !== input.code && (await this.#used(before.code))) {
      throw new DomainError('telephony.break_reason_in_use', 'code')
    }
    await db.transaction(async (trx) => {
      reason.useTransaction(trx)
      reason.merge({
        ...input,
        dialCode: input.dialCode === undefined ? reason.dialCode : input.dialCode || null,
        active: input.active ?? reason.active,
      })
      await reason.save()
      const changes = diff(before, snapshot(reason))
      if (Object.keys(changes.after).length === 0) return
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'break_reason.updated',
        target: { type: 'break_reason', id: reason.id, label: reason.code },
        ...changes,
      })
    })
    return reason
  }

  async delete(ctx: HttpContext, reason: BreakReason) {
    // Time-in-state reports name breaks by this code.
    if (await this.#used(reason.code))
      throw new DomainError('telephony.break_reason_in_use', 'code')
    await db.transaction(async (trx) => {
      reason.useTransaction(trx)
      await reason.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'break_reason.deleted',
        target: { type: 'break_reason', id: reason.id, label: reason.code },
        before: snapshot(reason),
      })
    })
  }

  async #used(code: string) {
    const event = await db
      .from('agent_state_events')
      .where('to_state', 'break')
      .where('reason', code)
      .select('id')
      .first()
    const current = await db.from('agent_states').where('reason', code).select('user_id').first()
    return Boolean(event || current)
  }
}
