import AgentState from '#models/agent_state'
import AgentStateEvent from '#models/agent_state_event'
import { breakTimeByReason, timeInStates, type AgentStateEntry } from '#telephony/acd/agent_state'
import type { AgentState as AgentStateName } from '#telephony/acd/types'

export interface TimeInStates {
  /** Milliseconds in each state within the window (every state present). */
  byState: Record<AgentStateName, number>
  /** Milliseconds on break per reason code ('' for a break without one). */
  breaksByReason: Record<string, number>
}

/**
 * Time one agent spent in each state between `from` and `to` (ms), from the append-only history:
 * the state entered before `from` counts from `from`, the current one until `to`.
 */
export async function agentTimeInStates(
  userId: number,
  from: number,
  to: number
): Promise<TimeInStates> {
  const [before, during] = await Promise.all([
    AgentStateEvent.query()
      .where('user_id', userId)
      .where('at', '<', from)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .first(),
    AgentStateEvent.query()
      .where('user_id', userId)
      .where('at', '>=', from)
      .where('at', '<=', to)
      .orderBy('at')
      .orderBy('id'),
  ])
  const entries: AgentStateEntry[] = [...(before ? [before] : []), ...during].map((e) => ({
    state: e.toState,
    at: e.at,
    reason: e.reason,
  }))
  if (entries.length === 0) {
    // A status set without history (older data, fixtures): it has lasted since `since`.
    const current = await AgentState.find(userId)
    if (current)
      entries.push({ state: current.state, at: current.since.toMillis(), reason: current.reason })
  }
  const window = { from, to }
  return {
    byState: timeInStates(entries, window),
    breaksByReason: Object.fromEntries(breakTimeByReason(entries, window)),
  }
}
