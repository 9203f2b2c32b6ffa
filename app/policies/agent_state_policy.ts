import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import { can } from '#app/auth/roles'
import { CALL_TAKER_ROLES } from '#actions/agents/change_agent_state'

function takesCalls(user: User) {
  return (CALL_TAKER_ROLES as readonly string[]).includes(user.role)
}

/**
 * Agents' status (坐席状态). Whoever takes calls (agents and team leads) changes their own; the
 * board and forcing another agent available or offline need agents.monitor / agents.force_state,
 * and a team lead holds those for their own team only. Nobody changes another agent's status
 * through their own page.
 */
export default class AgentStatePolicy extends BasePolicy {
  changeOwn(actor: User): AuthorizerResponse {
    return takesCalls(actor)
  }

  viewBoard(actor: User): AuthorizerResponse {
    return can(actor.role, 'agents.monitor')
  }

  force(actor: User, agent: User): AuthorizerResponse {
    if (!can(actor.role, 'agents.force_state') || !takesCalls(agent)) return false
    if (actor.role !== 'team_lead') return true
    return actor.teamId !== null && actor.teamId === agent.teamId
  }
}
