import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import type Call from '#models/call'
import { can } from '#app/auth/roles'

/**
 * Calls configuration and call records. Admins change the configuration; supervisors read it.
 * Call records: admins and supervisors see every call, a team lead only calls handled by an agent
 * of their own team (a call nobody answered belongs to no team). In-call control follows the
 * same team scope (controlCall).
 */
export default class TelephonyPolicy extends BasePolicy {
  viewConfig(actor: User): AuthorizerResponse {
    return can(actor.role, 'telephony.view')
  }

  manage(actor: User): AuthorizerResponse {
    return can(actor.role, 'telephony.manage')
  }

  viewCalls(actor: User): AuthorizerResponse {
    return can(actor.role, 'calls.view')
  }

  /** `agentTeamId`: the team of the call's agent, loaded by the caller. */
  viewCall(actor: User, call: Call, agentTeamId: number | null): AuthorizerResponse {
    if (!can(actor.role, 'calls.view')) return false
    if (actor.role !== 'team_lead') return true
    return call.agentId !== null && actor.teamId !== null && agentTeamId === actor.teamId
  }

  /**
   * Hold and blind transfer from the web: the agent on the call controls it; with calls.control,
   * admins and supervisors any call, a team lead only their team's agents' calls (as viewCall).
   * Whether the call is in a conversation is the action's to check (409), not a permission.
   */
  controlCall(actor: User, call: Call, agentTeamId: number | null): AuthorizerResponse {
    if (call.agentId !== null && call.agentId === actor.id) return true
    if (!can(actor.role, 'calls.control')) return false
    if (actor.role !== 'team_lead') return true
    return call.agentId !== null && actor.teamId !== null && agentTeamId === actor.teamId
  }

  listenRecordings(actor: User): AuthorizerResponse {
    return can(actor.role, 'recordings.listen')
  }
}
