import { BaseTransformer } from '@adonisjs/core/transformers'
import type Call from '#models/call'

/**
 * A call in a conversation, as in-call controls need it: who is on the line, since when, and
 * whether the caller is on hold (the latest hold/unhold event, looked up by the caller).
 */
export default class LiveCallTransformer extends BaseTransformer<Call> {
  constructor(
    resource: Call,
    protected onHold: boolean
  ) {
    super(resource)
  }

  toObject() {
    const c = this.resource
    return {
      id: c.uuid,
      callerNumber: c.callerNumber,
      callerName: c.callerName,
      since: (c.answeredAt ?? c.startedAt).toISO(),
      queue: c.queue ? { id: c.queue.id, name: c.queue.name } : null,
      agentId: c.agentId,
      onHold: this.onHold,
    }
  }
}
