import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AgentState, { type AgentStateName } from '#models/agent_state'
import AgentStateEvent from '#models/agent_state_event'

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
    const change = async (trx: TransactionClientContract) => {
      const query = AgentState.query({ client: trx }).where('user_id', userId)
      // The onlyFrom guard must see the row as it is when we write: a concurrent offer (ringing)
      // and an agent's own request must not both win. SQLite has one writer at a time already.
      if (trx.dialect.name === 'postgres') query.forUpdate()
      const current = await query.first()
      if (options.onlyFrom && !options.onlyFrom.includes(current?.state ?? 'offline')) return false
      if (current?.state === state && (current.reason ?? null) === (options.reason ?? null))
        return true
      const now = DateTime.utc()
      await AgentState.updateOrCreate(
        { userId },
        { state, reason: options.reason ?? null, since: now, updatedBy: options.changedBy ?? null },
        { client: trx }
      )
      await AgentStateEvent.create(
        {
          userId,
          fromState: current?.state ?? null,
          toState: state,
          reason: options.reason ?? null,
          changedBy: options.changedBy ?? null,
          at: now.toMillis(),
        },
        { client: trx }
      )
      return true
    }
    return options.client ? change(options.client) : db.transaction(change)
  }
}

const agentStates = new AgentStateService()
export default agentStates
