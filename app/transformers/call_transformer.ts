import { BaseTransformer } from '@adonisjs/core/transformers'
import type Call from '#models/call'

/** A call as the call list shows it; `id` is the public uuid, never the row id. */
export default class CallTransformer extends BaseTransformer<Call> {
  toObject() {
    const c = this.resource
    return {
      id: c.uuid,
      direction: c.direction,
      did: c.did,
      callerNumber: c.callerNumber,
      callerName: c.callerName,
      customer: c.customer
        ? { id: c.customer.id, name: c.customer.name, tier: c.customer.tier }
        : null,
      startedAt: c.startedAt.toISO(),
      answeredAt: c.answeredAt?.toISO() ?? null,
      endedAt: c.endedAt?.toISO() ?? null,
      endCause: c.endCause,
      queue: c.queue ? { id: c.queue.id, name: c.queue.name } : null,
      agent: c.agent ? { id: c.agent.id, fullName: c.agent.fullName } : null,
      waitSeconds: c.waitSeconds,
      talkSeconds: c.talkSeconds,
      holdSeconds: c.holdSeconds,
      wrapUpSeconds: c.wrapUpSeconds,
      transferred: c.transferred,
      abandoned: c.abandoned,
      hasRecording: c.hasRecording,
      state: c.state,
      outcome: c.answeredAt ? 'answered' : c.abandoned ? 'abandoned' : 'unanswered',
    }
  }

  /** With route, IVR version, legs, timeline and recordings (preloaded), for the call page. */
  forDetail() {
    const c = this.resource
    return {
      ...this.toObject(),
      route: c.route ? { id: c.route.id, name: c.route.name } : null,
      ivrFlow: c.ivrFlowId
        ? { id: c.ivrFlowId, name: c.ivrFlow?.name ?? null, version: c.ivrFlowVersion }
        : null,
      legs: (c.legs ?? []).map((l) => ({
        channelId: l.channelId,
        kind: l.kind,
        endpoint: l.endpoint,
        userId: l.userId,
        startedAt: l.startedAt.toISO(),
        answeredAt: l.answeredAt?.toISO() ?? null,
        endedAt: l.endedAt?.toISO() ?? null,
        cause: l.cause,
      })),
      events: (c.events ?? []).map((e) => ({
        at: e.at,
        type: e.type,
        data: e.data,
      })),
      // Call audio only (one per agent leg after a transfer); voicemails have their own page.
      recordings: (c.recordings ?? []).map((r) => ({
        id: r.id,
        createdAt: r.createdAt.toISO(),
        format: r.format,
        durationMs: r.durationMs,
        bytes: r.bytes,
        encrypted: r.encrypted,
        retentionUntil: r.retentionUntil?.toISO() ?? null,
        deleted: r.deletedAt !== null,
      })),
    }
  }
}
