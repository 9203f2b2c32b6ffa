import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import CallbackRequest from '#models/callback_request'
import DomainError from '#exceptions/domain_error'
import audit from '#services/audit_service'
import { sqlTime, affectedRows } from '#services/db_time'

/**
 * A supervisor cancels a pending callback request (回拨): the caller will not be called back.
 * Conditional on the request still being pending, so it never races an agent calling back (the
 * loser is told it is no longer pending); audited in the same transaction.
 */
export default class CancelCallbackRequest {
  async handle(ctx: HttpContext, id: number) {
    const actor = ctx.auth.getUserOrFail()
    return db.transaction(async (trx) => {
      const request = await CallbackRequest.query({ client: trx }).where('id', id).firstOrFail()
      const now = DateTime.utc()
      const updated = await trx
        .from('callback_requests')
        .where('id', id)
        .where('status', 'pending')
        .update({
          status: 'cancelled',
          handled_by: actor.id,
          handled_at: sqlTime(now),
          updated_at: sqlTime(now),
        })
      if (affectedRows(updated) === 0) {
        throw new DomainError('callbacks.not_pending', 'callback', {}, 409)
      }
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'callback.cancelled',
        target: { type: 'callback_request', id: request.id, label: request.number },
        before: { status: request.status },
        after: { status: 'cancelled', queueId: request.queueId, number: request.number },
      })
      await request.refresh()
      return request
    })
  }
}
