import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AgentState, { type AgentStateName } from '#models/agent_state'
import { affectedRows } from '#services/db_time'
import { type SqliteConnection, sqliteDirect } from '#services/sqlite_direct'

/**
 * The agent's current state (agent_states) and its history (agent_state_events, append-only,
 * for time-in-state reports). Every change goes through here, from the web UI, feature codes or
 * the telephony worker.
 */
class AgentStateService {
  async get(userId: number): Promise<AgentState | null> {
    return AgentState.find(userId)
  }

  async set(
    userId: number,
    state: AgentStateName,
    options: {
      reason?: string | null
      changedBy?: number | null
      onlyFrom?: AgentStateName[]
      /** Join the caller's transaction (e.g. to commit with its audit entry). */
      client?: TransactionClientContract
    } = {}
  ): Promise<boolean> {
    // The query builder, not the models: this runs several times per call in the telephony
    // worker, where the ORM's per-row work was a measurable part of its CPU.
    const only = options.onlyFrom
    if (only?.length === 1 && only[0] !== 'offline' && only[0] !== state) {
      // The worker's own steps (available → ringing, on call → wrap-up, wrap-up → available):
      // one conditional update claims the row, no read first. 'offline' may have no row at all.
      const from = only[0]
      const claim = async (trx: TransactionClientContract) => {
        const now = DateTime.utc()
        const updated = await trx
          .from('agent_states')
          .where('user_id', userId)
          .where('state', from)
          .update({
            state,
            reason: options.reason ?? null,
            since: now.toFormat(trx.dialect.dateTimeFormat),
            updated_by: options.changedBy ?? null,
          })
        if (affectedRows(updated) === 0) return false
        await trx.table('agent_state_events').insert({
          user_id: userId,
          from_state: from,
          to_state: state,
          reason: options.reason ?? null,
          changed_by: options.changedBy ?? null,
          at: now.toMillis(),
        })
        return true
      }
      if (options.client) return claim(options.client)
      const now = DateTime.utc()
      const claimDirect = (connection: SqliteConnection) => {
        const updated = connection
          .prepare(
            'update agent_states set state = ?, reason = ?, since = ?, updated_by = ? where user_id = ? and state = ?'
          )
          .run(
            state,
            options.reason ?? null,
            now.toFormat(db.connection().dialect.dateTimeFormat),
            options.changedBy ?? null,
            userId,
            from
          )
        if (updated.changes === 0) return false
        connection
          .prepare(
            'insert into agent_state_events (user_id, from_state, to_state, reason, changed_by, at) values (?, ?, ?, ?, ?, ?)'
          )
          .run(
            userId,
            from,
            state,
            options.reason ?? null,
            options.changedBy ?? null,
            now.toMillis()
          )
        return true
      }
      // In the telephony worker at once on its own connection (the ring waits for this claim).
      const direct = await sqliteDirect(claimDirect)
      return direct ?? db.transaction(claim)
    }
    const change = async (trx: TransactionClientContract) => {
      const query = trx.from('agent_states').where('user_id', userId).select('state', 'reason')
      // The onlyFrom guard must see the row as it is when we write: a concurrent offer (ringing)
      // and an agent's own request must not both win. SQLite has one writer at a time already.
      if (trx.dialect.name === 'postgres') query.forUpdate()
      const current: { state: AgentStateName; reason: string | null } | undefined =
        await query.first()
      if (options.onlyFrom && !options.onlyFrom.includes(current?.state ?? 'offline')) return false
      if (current?.state === state && (current.reason ?? null) === (options.reason ?? null))
        return true
      const now = DateTime.utc()
      const row = {
        state,
        reason: options.reason ?? null,
        since: now.toFormat(trx.dialect.dateTimeFormat),
        updated_by: options.changedBy ?? null,
      }
      if (current) await trx.from('agent_states').where('user_id', userId).update(row)
      else await trx.table('agent_states').insert({ user_id: userId, ...row })
      await trx.table('agent_state_events').insert({
        user_id: userId,
        from_state: current?.state ?? null,
        to_state: state,
        reason: options.reason ?? null,
        changed_by: options.changedBy ?? null,
        at: now.toMillis(),
      })
      return true
    }
    return options.client ? change(options.client) : db.transaction(change)
  }
}

const agentStates = new AgentStateService()
export default agentStates
