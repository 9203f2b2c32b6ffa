import { BaseTransformer } from '@adonisjs/core/transformers'
import type CallbackRequest from '#models/callback_request'

/** A callback request as the list shows it, with call, queue and handler preloaded. */
export default class CallbackRequestTransformer extends BaseTransformer<CallbackRequest> {
  toObject() {
    const c = this.resource
    return {
      id: c.id,
      number: c.number,
      status: c.status,
      queue: c.queue ? { id: c.queue.id, name: c.queue.name } : null,
      /** The caller's place: when they first entered the queue. */
      enteredAt: c.enteredAt.toISO(),
      requestedAt: c.createdAt.toISO(),
      handledAt: c.handledAt?.toISO() ?? null,
      handledBy: c.handler ? { id: c.handler.id, fullName: c.handler.fullName } : null,
      callId: c.call?.uuid ?? null,
    }
  }
}
