import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Call, { type CallState } from '#models/call'
import { type CallEventType } from '#models/call_event'
import { type CallLegKind } from '#models/call_leg'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#services/db_time'
import {
  sqliteDirect,
  sqliteFirst,
  sqliteValue,
  type SqliteConnection,
} from '#services/sqlite_direct'

type LegWrite =
  | {
      op: 'insert'
      row: {
        call_id: number
        channel_id: string
        kind: CallLegKind
        endpoint: string | null
        user_id: number | null
        started_at: string
      }
    }
  | { op: 'answered'; channelId: string; at: string }
  | { op: 'ended'; channelId: string; at: string; cause: string }

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
 * Legs, timeline events and changes to a call's row are written behind: each is stamped when it
 * happens and queued, and everything queued by the time the event loop comes round (one handler's
 * steps, other calls' at the same moment) is written together: on SQLite in one transaction of
 * prepared statements (sqliteDirect), on PostgreSQL through the query builder. The telephony
 * worker wrote some twenty rows per call one query at a time, the biggest share of its CPU, and a
 * caller's next step (an agent's phone ringing) no longer waits for them. Legs and events are
 * written before the call row that follows them, so whoever sees a call ended sees its whole
 * timeline; flush() waits for everything queued so far.
 */
class CallRecorder {
  #events: PendingEvent[] = []
  #legs: LegWrite[] = []
  /** Per call, its columns changed since the last write (column name → database value). */
  #dirtyCalls = new Map<Call, Record<string, unknown>>()
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
    const existing = await sqliteFirst(
      'select call_id from call_legs where channel_id = ? limit 1',
      [input.channelId],
      () => db.from('call_legs').where('channel_id', input.channelId).select('call_id').first()
    )
    if (existing) return Call.findOrFail(Number(existing.call_id))
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

  /** A leg (a channel of the call) began; a replayed event finds it there already. */
  async leg(
    call: Call,
    channelId: string,
    kind: CallLegKind,
    endpoint: string | null,
    userId: number | null
  ) {
    this.#legs.push({
      op: 'insert',
      row: {
        call_id: call.id,
        channel_id: channelId,
        kind,
        endpoint,
        user_id: userId,
        started_at: sqlTime(DateTime.utc()),
      },
    })
    this.#schedule()
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
    const all = { ...changes, state }
    call.merge(all)
    const row = this.#dirtyCalls.get(call) ?? {}
    for (const [attribute, value] of Object.entries(all)) {
      const column = Call.$getColumn(attribute)
      if (column) row[column.columnName] = this.#dbValue(value)
    }
    this.#dirtyCalls.set(call, row)
    this.#schedule()
  }

  /** As the database stores it (timestamps in the connection's format, as Lucid writes them). */
  #dbValue(value: unknown) {
    return DateTime.isDateTime(value) ? sqlTime(value) : value
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
    if (this.#events.length === 0 && this.#legs.length === 0 && this.#dirtyCalls.size === 0)
      return this.#writing
    const events = this.#events
    const legs = this.#legs
    this.#legs = []
    const updated = sqlTime(DateTime.utc())
    const updates = [...this.#dirtyCalls].map(([call, row]) => ({
      id: call.id,
      row: { ...row, updated_at: updated } as Record<string, unknown>,
    }))
    this.#events = []
    this.#dirtyCalls.clear()
    const write = this.#writing.then(async () => {
      const direct = await sqliteDirect((connection) => {
        this.#writeLegsDirect(connection, legs)
        const insert = connection.prepare(
          'insert into call_events (call_id, at, type, data) values (?, ?, ?, ?)'
        )
        for (const e of events) insert.run(e.call_id, e.at, e.type, e.data)
        for (const { id, row } of updates) {
          const columns = Object.keys(row)
          connection
            .prepare(`update calls set ${columns.map((c) => `"${c}" = ?`).join(', ')} where id = ?`)
            .run(...columns.map((c) => sqliteValue(row[c])), id)
        }
        return true
      })
      if (direct) return
      await this.#writeLegs(legs)
      for (let i = 0; i < events.length; i += 100)
        await db.table('call_events').multiInsert(events.slice(i, i + 100))
      for (const { id, row } of updates) await db.from('calls').where('id', id).update(row)
    })
    // One failed write must not stop the ones after it.
    this.#writing = write.catch(() => {})
    return write
  }

  async legAnswered(channelId: string) {
    this.#legs.push({ op: 'answered', channelId, at: sqlTime(DateTime.utc()) })
    this.#schedule()
  }

  async legEnded(channelId: string, cause: string) {
    this.#legs.push({
      op: 'ended',
      channelId,
      at: sqlTime(DateTime.utc()),
      cause: cause.slice(0, 40),
    })
    this.#schedule()
  }

  /** Through better-sqlite3 directly (see sqliteDirect): the leg writes, in their order. */
  #writeLegsDirect(connection: SqliteConnection, legs: LegWrite[]) {
    for (const leg of legs) {
      if (leg.op === 'insert') {
        const r = leg.row
        connection
          .prepare(
            'insert into call_legs (call_id, channel_id, kind, endpoint, user_id, started_at) values (?, ?, ?, ?, ?, ?) on conflict (channel_id) do nothing'
          )
          .run(r.call_id, r.channel_id, r.kind, r.endpoint, r.user_id, r.started_at)
      } else if (leg.op === 'answered') {
        connection
          .prepare(
            'update call_legs set answered_at = ? where channel_id = ? and answered_at is null'
          )
          .run(leg.at, leg.channelId)
      } else {
        connection
          .prepare(
            'update call_legs set ended_at = ?, cause = ? where channel_id = ? and ended_at is null'
          )
          .run(leg.at, leg.cause, leg.channelId)
      }
    }
  }

  async #writeLegs(legs: LegWrite[]) {
    for (const leg of legs) {
      if (leg.op === 'insert') {
        await db.table('call_legs').insert(leg.row).onConflict('channel_id').ignore()
      } else if (leg.op === 'answered') {
        await db
          .from('call_legs')
          .where('channel_id', leg.channelId)
          .whereNull('answered_at')
          .update({ answered_at: leg.at })
      } else {
        await db
          .from('call_legs')
          .where('channel_id', leg.channelId)
          .whereNull('ended_at')
          .update({ ended_at: leg.at, cause: leg.cause })
      }
    }
  }

  /** Ends the call once; the durations are derived from the timestamps, never guessed. */
  async end(call: Call, cause: string) {
    // What this worker has not written yet would otherwise be lost by the refresh.
    await this.flush()
    // Ended already by whoever else ends calls (a reconcile after a restart).
    const stored = await sqliteFirst('select state from calls where id = ?', [call.id], () =>
      db.from('calls').where('id', call.id).select('state').first()
    )
    if (!stored || stored.state === 'ended') return
    const now = DateTime.utc()
    const talk = call.answeredAt ? Math.round(now.diff(call.answeredAt).as('seconds')) : 0
    await this.event(call, 'ended', { cause })
    await this.state(call, 'ended', { endedAt: now, endCause: cause, talkSeconds: talk })
    await this.flush()
  }
}

const callRecorder = new CallRecorder()
export default callRecorder
