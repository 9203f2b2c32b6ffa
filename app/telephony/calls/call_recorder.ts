import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Call, { type CallState } from '#models/call'
import { type CallEventType } from '#models/call_event'
import CallLeg, { type CallLegKind } from '#models/call_leg'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#services/db_time'

interface PendingEvent {
  call_id: number
  at: number
  type: CallEventType
  data: string | null
}

/**
 * Writes a call, its legs and its timeline. Every write is keyed by the call or the channel id,
 * so a replayed event (after a worker restart) updates instead of duplicating.
 *
 * Timeline events and changes to a call's row are written behind: each is stamped when it
 * happens and queued, and everything queued by the time the event loop comes round (one handler's
 * steps, other calls' at the same moment) goes in one INSERT of all the events and one UPDATE per
 * call. The telephony worker wrote some twenty rows per call one statement at a time, the biggest
 * share of its CPU, and a caller's next step (an agent's phone ringing) no longer waits for them.
 * Events are always written before the call row that follows them, so whoever sees a call ended
 * sees its whole timeline; flush() waits for everything queued so far.
 */
class CallRecorder {
  #events: PendingEvent[] = []
  #dirtyCalls = new Set<Call>()
  #scheduled = false
  #writing: Promise<void> = Promise.resolve()
  /** Where a write that failed behind everyone's back is reported. */
  onError: (error: unknown) => void = (error) => console.error('call records not written', error)

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
    // A replayed event finds its leg already there (channel_id is unique).
    await db
      .table('call_legs')
      .insert({
        call_id: call.id,
        channel_id: channelId,
        kind,
        endpoint,
        user_id: userId,
        started_at: sqlTime(DateTime.utc()),
      })
      .onConflict('channel_id')
      .ignore()
  }

  /** A step of the call's timeline, stamped now and written behind (see the class). */
  async event(call: Call, type: CallEventType, data: Record<string, unknown> | null = null) {
    this.#events.push({
      call_id: call.id,
      at: Date.now(),
      type,
      data: data === null ? null : JSON.stringify(data),
    })
    this.#schedule()
  }

  /** The call's state and other columns, changed at once in memory and written behind. */
  async state(call: Call, state: CallState, changes: Partial<Call> = {}) {
    call.merge({ ...changes, state })
    this.#dirtyCalls.add(call)
    this.#schedule()
  }

  #schedule() {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.flush().catch((error) => this.onError(error))
    })
  }

  /** Writes everything queued so far, after any write already under way. */
  flush(): Promise<void> {
    const events = this.#events
    const calls = [...this.#dirtyCalls]
    this.#events = []
    this.#dirtyCalls.clear()
    // Taken from the models now: changes made while this write runs belong to the next one.
    const updates = calls.map((call) => ({ id: call.id, row: this.#dirtyRow(call) }))
    const write = this.#writing.then(async () => {
      for (let i = 0; i < events.length; i += 100)
        await db.table('call_events').multiInsert(events.slice(i, i + 100))
      for (const { id, row } of updates) if (row) await db.from('calls').where('id', id).update(row)
    })
    // One failed write must not stop the ones after it.
    this.#writing = write.catch(() => {})
    return write
  }

  /** The call's changed columns as the database stores them; the model counts them as saved. */
  #dirtyRow(call: Call): Record<string, unknown> | null {
    const dirty = call.$dirty
    if (Object.keys(dirty).length === 0) return null
    call.updatedAt = DateTime.utc()
    const row: Record<string, unknown> = {}
    for (const [attribute, value] of Object.entries({ ...dirty, updatedAt: call.updatedAt })) {
      const column = Call.$getColumn(attribute)
      if (!column) continue
      row[column.columnName] = column.prepare ? column.prepare(value, attribute, call) : value
    }
    call.$hydrateOriginals()
    return row
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
    // What this worker has not written yet would otherwise be lost by the refresh.
    await this.flush()
    await call.refresh()
    if (call.state === 'ended') return
    const now = DateTime.utc()
    const talk = call.answeredAt ? Math.round(now.diff(call.answeredAt).as('seconds')) : 0
    await this.event(call, 'ended', { cause })
    await this.state(call, 'ended', { endedAt: now, endCause: cause, talkSeconds: talk })
    await this.flush()
  }
}

const callRecorder = new CallRecorder()
export default callRecorder
