import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Call, { type CallState } from '#models/call'
import { type CallEventType } from '#models/call_event'
import CallLeg, { type CallLegKind } from '#models/call_leg'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#services/db_time'

/**
 * Writes a call, its legs and its timeline. Every write is keyed by the call or the channel id,
 * so a replayed event (after a worker restart) updates instead of duplicating.
 */
class CallRecorder {
  async open(input: {
    channelId: string
    did: string | null
    callerNumber: string | null
    callerName: string | null
  }) {
    const existing = await CallLeg.findBy('channel_id', input.channelId)
    if (existing) return Call.findOrFail(existing.callId)
    const call = await Call.create({
      uuid: randomUUID(),
      direction: 'inbound',
      did: input.did,
      callerNumber: input.callerNumber,
      callerName: input.callerName,
      startedAt: DateTime.utc(),
      state: 'ivr',
      waitSeconds: 0,
      talkSeconds: 0,
      holdSeconds: 0,
      wrapUpSeconds: 0,
      transferred: false,
      abandoned: false,
      hasRecording: false,
    })
    await this.leg(call, input.channelId, 'customer', null, null)
    return call
  }

  /** A callback: the queue calls the customer back (the agent is rung first). */
  async openCallback(input: { number: string; queueId: number }) {
    return Call.create({
      uuid: randomUUID(),
      direction: 'outbound',
      did: null,
      callerNumber: input.number,
      callerName: null,
      queueId: input.queueId,
      startedAt: DateTime.utc(),
      state: 'ringing',
      waitSeconds: 0,
      talkSeconds: 0,
      holdSeconds: 0,
      wrapUpSeconds: 0,
      transferred: false,
      abandoned: false,
      hasRecording: false,
    })
  }

  // Legs and events through the query builder: they are written many times per call by the
  // telephony worker, where the ORM's per-row work was a measurable part of its CPU.

  async leg(
    call: Call,
    channelId: string,
    kind: CallLegKind,
    endpoint: string | null,
    userId: number | null
  ) {
    const existing = await db.from('call_legs').where('channel_id', channelId).first()
    if (existing) return
    await db.table('call_legs').insert({
      call_id: call.id,
      channel_id: channelId,
      kind,
      endpoint,
      user_id: userId,
      started_at: sqlTime(DateTime.utc()),
    })
  }

  async event(call: Call, type: CallEventType, data: Record<string, unknown> | null = null) {
    await db.table('call_events').insert({
      call_id: call.id,
      at: Date.now(),
      type,
      data: data === null ? null : JSON.stringify(data),
    })
  }

  async state(call: Call, state: CallState, changes: Partial<Call> = {}) {
    call.merge({ ...changes, state })
    await call.save()
  }

  async legAnswered(channelId: string) {
    await db
      .from('call_legs')
      .where('channel_id', channelId)
      .whereNull('answered_at')
      .update({ answered_at: sqlTime(DateTime.utc()) })
  }

  async legEnded(channelId: string, cause: string) {
    await db
      .from('call_legs')
      .where('channel_id', channelId)
      .whereNull('ended_at')
      .update({ ended_at: sqlTime(DateTime.utc()), cause: cause.slice(0, 40) })
  }

  /** Ends the call once; the durations are derived from the timestamps, never guessed. */
  async end(call: Call, cause: string) {
    await call.refresh()
    if (call.state === 'ended') return
    const now = DateTime.utc()
    const talk = call.answeredAt ? Math.round(now.diff(call.answeredAt).as('seconds')) : 0
    await this.state(call, 'ended', { endedAt: now, endCause: cause, talkSeconds: talk })
    await this.event(call, 'ended', { cause })
  }
}

const callRecorder = new CallRecorder()
export default callRecorder
