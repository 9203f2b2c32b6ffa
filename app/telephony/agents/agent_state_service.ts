import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
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
    options: { reason?: string | null; changedBy?: number | null; onlyFrom?: AgentStateName[] } = {}
  ): Promise<boolean> {
    return db.transaction(async (trx) => {
      const current = await AgentState.query({ client: trx }).where('user_id', userId).first()
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
    })
  }
}

const agentStates = new AgentStateService()
export default agentStates
