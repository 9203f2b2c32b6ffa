import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Call, { type CallState } from '#models/call'
import CallEvent, { type CallEventType } from '#models/call_event'
import CallLeg, { type CallLegKind } from '#models/call_leg'

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

  async leg(
    call: Call,
    channelId: string,
    kind: CallLegKind,
    endpoint: string | null,
    userId: number | null
  ) {
    return CallLeg.firstOrCreate(
      { channelId },
      { callId: call.id, kind, endpoint, userId, startedAt: DateTime.utc() }
    )
  }

  async event(call: Call, type: CallEventType, data: Record<string, unknown> | null = null) {
    await CallEvent.create({ callId: call.id, at: Date.now(), type, data })
  }

  async state(call: Call, state: CallState, changes: Partial<Call> = {}) {
    call.merge({ ...changes, state })
    await call.save()
  }

  async legAnswered(channelId: string) {
    const leg = await CallLeg.findBy('channel_id', channelId)
    if (leg && !leg.answeredAt) {
      leg.answeredAt = DateTime.utc()
      await leg.save()
    }
  }

  async legEnded(channelId: string, cause: string) {
    const leg = await CallLeg.findBy('channel_id', channelId)
    if (leg && !leg.endedAt) {
      leg.endedAt = DateTime.utc()
      leg.cause = cause
      await leg.save()
    }
    return leg
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
